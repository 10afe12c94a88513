/**
 * After `next build`: nothing the browser downloads (the static client chunks) may contain a
 * secret or a whole Ping++ object (ARCHITECTURE.md rule 6), nor zod. Exits 1 and names the file when it finds one.
 *   node --import tsx scripts/check-client-bundle.ts [distDir]
 */
import fs from "node:fs";
import path from "node:path";

const dist = process.argv[2] ?? process.env.NEXT_DIST_DIR ?? ".next";
const root = path.join(dist, "static");
const NEEDLES: [string, RegExp][] = [
  ["an API key", /sk_(live|test)_[A-Za-z0-9]{6,}/],
  ["a private key", /BEGIN (RSA |EC )?PRIVATE KEY/],
  ["a public key PEM", /BEGIN PUBLIC KEY/],
  ["a key path", /PINGPP_(PRIVATE|PUBLIC)_KEY_PATH|pingpp_rsa_public_key/],
  ["the auth secret", /AUTH_SECRET|auth-secret/],
  ["a whole Ping++ charge", /"object"\s*:\s*"charge"/],
  ["a database URL", /postgres(ql)?:\/\/[^"'\s]+@/],
  // Issue 19: forms check in the browser with zod-free modules (lib/validations/charge-fields.ts,
  // roles.ts, red-envelope-fields.ts, lib/pingpp/limits.ts); zod (~90 KB) stays on the server.
  ["zod (a client component imports a zod schema: give it a zod-free module)", /\bZodError\b|\._zod\b/],
];

function* files(dir: string): Generator<string> {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else yield p;
  }
}

if (!fs.existsSync(root)) {
  console.error(`no ${root}: run the build first`);
  process.exit(2);
}
let count = 0;
const found: string[] = [];
for (const f of files(root)) {
  count++;
  const text = fs.readFileSync(f, "utf8");
  for (const [what, re] of NEEDLES) if (re.test(text)) found.push(`${f}: contains ${what}`);
}
if (found.length) {
  console.error(found.join("\n"));
  process.exit(1);
}
console.log(`client bundle clean: ${count} files under ${root}, none contains a key, a secret, a Ping++ object or zod`);
