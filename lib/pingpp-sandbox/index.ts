// Ping++ sandbox: a stateful, wire-compatible emulator of the Ping++ API with signed webhooks (ARCHITECTURE.md §9).
export { startSandbox, type Sandbox, type SandboxOptions } from "./server";
export { RETRY_SCHEDULE_S, signBody } from "./webhooks";
