import { bootstrap } from "./bootstrap";

await bootstrap(["dev"]);
