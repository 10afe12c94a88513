import { bootstrap } from "./bootstrap";

process.env.NODE_ENV ??= "production";
await bootstrap(["start"]);
