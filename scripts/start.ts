import { bootstrap } from "./bootstrap";

(process.env as Record<string, string>).NODE_ENV ??= "production";
await bootstrap(["start"]);
