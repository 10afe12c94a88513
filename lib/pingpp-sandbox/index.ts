// Ping++ sandbox: a stateful, wire-compatible emulator of the Ping++ API with signed webhooks (DESIGN §5).
export { startSandbox, type Sandbox, type SandboxOptions } from "./server";
export { RETRY_SCHEDULE_S, signBody } from "./webhooks";
