import "server-only";
import { AuthError } from "next-auth";
import { getTranslations } from "next-intl/server";
import { signIn, LoginRefused } from "./config";
import { loginSchema } from "../validations/staff";

/** Why a login did not start a session (the message keys are under `login.`, `errors.unavailable`). */
export type LoginFailure = "invalid" | "throttled" | "codeRequired" | "invalidCode" | "unavailable";

export type LoginOutcome = { ok: true } | { ok: false; code: LoginFailure; error: string };

/**
 * The one login of the console (the login page, app/(auth)/login/route.ts): checks the input's
 * shape, then next-auth's credentials sign-in (lib/auth/config.ts → services/staff.ts
 * `authenticate`: password, throttle, second factor, audit), which on success sets the session
 * cookie on this response. Public by nature: it runs without a session. A refusal answers why,
 * with the message in the visitor's language; the password is never in it.
 */
export async function login(input: { email: unknown; password: unknown; code?: unknown }): Promise<LoginOutcome> {
  const t = await getTranslations();
  const parsed = loginSchema.safeParse(input);
  if (!parsed.success) return { ok: false, code: "invalid", error: t("login.invalid") };
  try {
    // No `code` key without a code: next-auth posts the fields as a form, where undefined becomes "undefined".
    const { code, ...credentials } = parsed.data;
    await signIn("credentials", { ...credentials, ...(code === undefined ? {} : { code }), redirect: false });
    return { ok: true };
  } catch (e) {
    if (e instanceof LoginRefused || (e instanceof AuthError && "code" in e)) {
      const code = (e as { code?: string }).code;
      if (code === "codeRequired") return { ok: false, code, error: t("login.codeRequired") };
      if (code === "invalidCode") return { ok: false, code, error: t("login.invalidCode") };
      if (code === "throttled") return { ok: false, code, error: t("login.throttled") };
      return { ok: false, code: "invalid", error: t("login.invalid") };
    }
    if (e instanceof AuthError) return { ok: false, code: "invalid", error: t("login.invalid") };
    console.error("[login] failed", e);
    return { ok: false, code: "unavailable", error: t("errors.unavailable") };
  }
}
