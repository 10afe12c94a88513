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
  for (const [from, to] of copies) {
    if (!fs.existsSync(from)) continue;
    fs.rmSync(to, { recursive: true, force: true });
    fs.cpSync(from, to, { recursive: true });
  }
  return server;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const server = prepareStandalone();
  console.log(`• standalone server ready: ${path.relative(process.cwd(), server)}`);
}
