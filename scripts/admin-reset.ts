/**
 * The operator's way back in when an admin password is lost: `npm run admin:reset -- <email>`
 * prints a new one-time password for that account (to be changed at its next login; every
 * session of it ends; audited as the operator). `--2fa` also turns off its two-factor sign-in
 * (lost phone and recovery codes). Uses the configured database (DATABASE_URL, or the PGlite data
 * directory the console uses): on PGlite, stop the console first (one process at a time).
 */
import { closeDb } from "../lib/db";
import { operatorResetPassword } from "../lib/services/accounts";
import { isAppError } from "../lib/services/errors";
import { boxed } from "../lib/boxed";

const args = process.argv.slice(2).filter((a) => a !== "--");
const email = args.find((a) => !a.startsWith("--"));
if (!email || args.some((a) => a.startsWith("--") && a !== "--2fa")) {
  console.error("usage: npm run admin:reset -- <email> [--2fa]");
  process.exit(2);
}

let code = 0;
try {
  const out = await operatorResetPassword(email, { twoFactor: args.includes("--2fa") });
  console.log(
    "\n" +
      boxed([
        `New one-time password for ${out.email} (${out.role}${out.disabled ? ", DISABLED: enable it in 员工/Staff" : ""}):`,
        "",
        `    ${out.password}`,
        "",
        "It must be changed at the next login. Every session of this account has ended.",
        args.includes("--2fa")
          ? "Two-factor sign-in is off: enroll again on the account page."
          : "Two-factor sign-in, if on, is unchanged (--2fa turns it off).",
      ]) +
      "\n",
  );
} catch (e) {
  code = 1;
  console.error(
    isAppError(e) && e.code === "staffNotFound"
      ? `✖ no staff account with the e-mail ${email}`
      : `✖ ${(e as Error).message}`,
  );
} finally {
  await closeDb();
}
process.exit(code);
