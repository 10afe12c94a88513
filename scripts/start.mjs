// `npm start`: Next.js's own standalone server (<NEXT_DIST_DIR or .next>/standalone/server.js),
// with the console's start-up work in instrumentation.ts. That server makes its own folder the
// working directory, so the relative paths the console reads (data folder, key files) are made
// absolute here first, against the folder `npm start` was run in. Plain JavaScript, no tsx.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { prepareStandalone } from "./standalone.mjs";

process.env.CONSOLE_DATA_DIR = path.resolve(process.env.CONSOLE_DATA_DIR || ".data");
for (const name of ["PGLITE_DATA_DIR", "PINGPP_PRIVATE_KEY_PATH", "PINGPP_PUBLIC_KEY_PATH"]) {
  const value = process.env[name];
  if (value && !value.includes("://")) process.env[name] = path.resolve(value);
}

let server;
try {
  server = prepareStandalone();
} catch (e) {
  console.error(`\n✖ ${e.message}\n`);
  process.exit(1);
}
await import(pathToFileURL(server).href);
