// The build's standalone server (next.config.ts: output "standalone") needs beside it what Next.js
// leaves out of <distDir>/standalone: the browser's files (<distDir>/static, public/), as Next.js's
// docs say to copy, and the console's migrations (drizzle/, applied at start-up). `npm run build`
// runs this after `next build` (postbuild); `npm start` runs it too when a build was made with
// plain `next build`. Plain JavaScript: no TypeScript runtime is needed to serve.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Copies the files above into the standalone folder; returns the path of its server.js. */
export function prepareStandalone(root = process.cwd(), distDir = process.env.NEXT_DIST_DIR || ".next") {
  const dist = path.resolve(root, distDir);
  const standalone = path.join(dist, "standalone");
  const server = path.join(standalone, "server.js");
  if (!fs.existsSync(server)) {
    throw new Error(
      `${path.relative(root, server)} not found: build first (npm run build; next.config.ts must say output: "standalone")`,
    );
  }
  const copies = [
    [path.join(dist, "static"), path.join(standalone, distDir, "static")],
    [path.join(root, "public"), path.join(standalone, "public")],
    [path.join(root, "drizzle"), path.join(standalone, "drizzle")],
  ];
  // Copied once per build: a start of a build already prepared copies nothing, so servers started
  // together from one build (two instances on a machine, the tests' pairs) never race on the files.
  const buildId = readIfExists(path.join(dist, "BUILD_ID"));
  const marker = path.join(standalone, ".prepared-for-build");
  if (buildId && readIfExists(marker) === buildId) return server;
  for (const [from, to] of copies) {
    if (fs.existsSync(from)) replaceWithCopy(from, to);
  }
  if (buildId) fs.writeFileSync(marker, buildId);
  return server;
}

const readIfExists = (file) => (fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim() : null);

/**
 * `to` becomes a copy of `from`. Each process copies into a folder of its own and renames it into
 * place, so two first starts of a new build at once do not remove files the other is still copying
 * (that raced: ENOTEMPTY, and the server did not start); when the other's copy lands first, it is kept.
 */
function replaceWithCopy(from, to) {
  const own = `${to}.${process.pid}.tmp`;
  fs.rmSync(own, { recursive: true, force: true });
  fs.cpSync(from, own, { recursive: true });
  fs.rmSync(to, { recursive: true, force: true, maxRetries: 5 });
  try {
    fs.renameSync(own, to);
  } catch (e) {
    if (e.code !== "ENOTEMPTY" && e.code !== "EEXIST") throw e;
    fs.rmSync(own, { recursive: true, force: true }); // another start's copy of the same build is in place
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const server = prepareStandalone();
  console.log(`• standalone server ready: ${path.relative(process.cwd(), server)}`);
}
