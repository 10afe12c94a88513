"use server";
import { AuthError } from "next-auth";
import { getTranslations } from "next-intl/server";
import { signIn, signOut, LoginRefused } from "../auth/config";
import { loginSchema } from "../validations/staff";
import type { ActionResult } from "./result";

/** Public by nature: the only action that runs without a session. */
export async function loginAction(input: {
  email: string;
  password: string;
  code?: string;
}): Promise<ActionResult<null>> {
  const t = await getTranslations();
  const parsed = loginSchema.safeParse(input);
  if (!parsed.success) return { ok: false, error: t("login.invalid") };
  try {
    await signIn("credentials", { ...parsed.data, redirect: false });
    return { ok: true, data: null };
  } catch (e) {
    if (e instanceof LoginRefused || (e instanceof AuthError && "code" in e)) {
      const code = (e as { code?: string }).code;
      if (code === "codeRequired") return { ok: false, error: t("login.codeRequired"), code };
      if (code === "invalidCode") return { ok: false, error: t("login.invalidCode"), code };
      return { ok: false, error: code === "throttled" ? t("login.throttled") : t("login.invalid"), code };
    }
    if (e instanceof AuthError) return { ok: false, error: t("login.invalid") };
    console.error("[login] failed", e);
    return { ok: false, error: t("errors.unavailable") };
  }
}

export async function logoutAction(): Promise<void> {
  await signOut({ redirectTo: "/login" });
}
