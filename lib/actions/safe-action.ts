import "server-only";
import type { z } from "zod";
import { getTranslations } from "next-intl/server";
import { getActor } from "../auth/session";
import { isAppError } from "../services/errors";
import { audit } from "../services/audit";
import type { Actor } from "../services/actor";
import { can, type Capability } from "../auth/policy";
import type { ActionResult } from "./result";

type Translate = Awaited<ReturnType<typeof getTranslations>>;

function fieldErrors(error: z.ZodError, t: Translate): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.join(".") || "_";
    if (out[key]) continue;
    out[key] = t.has(`validation.${issue.message}`) ? t(`validation.${issue.message}`) : t("validation.invalid");
  }
  return out;
}

/**
 * The one wrapper every server action goes through (ARCHITECTURE.md §2): session → capability (its roles
 * in lib/auth/policy.ts) → input schema → service. Returns `{ ok: true, data }` or
 * `{ ok: false, error, fieldErrors? }` with a translated message; never raw input or an exception's text.
 */
export function authedAction<S extends z.ZodType, R>(
  capability: Capability,
  schema: S,
  fn: (input: z.output<S>, actor: Actor) => Promise<R>,
  /**
   * allowGated: may run while the account must first change its password / enroll in 2FA (the account actions that do
   * that).
   */
  opts: { audit?: string; allowGated?: boolean } = {},
): ((input: z.input<S>) => Promise<ActionResult<R>>) & { capability: Capability; audit?: string } {
  const action = async (input: z.input<S>): Promise<ActionResult<R>> => {
    const t = await getTranslations();
    let actor: Actor | null;
    try {
      actor = await getActor();
    } catch (e) {
      console.error("[action] session check failed", e);
      return { ok: false, error: t("errors.unavailable") };
    }
    if (!actor) return { ok: false, error: t("errors.unauthenticated") };
    if (!can(actor.role, capability)) {
      // A money action (refund, cancel, send, settle) tried by a role that may not: the attempt is
      // on record, like the service's own refusals. Nothing else is written; the input is not kept.
      if (opts.audit) {
        try {
          await audit({ actor, action: opts.audit, result: "refused", message: `forbidden for role ${actor.role}` });
        } catch (e) {
          console.error("[action] audit of a refusal failed", e);
        }
      }
      return { ok: false, error: t("errors.forbidden") };
    }
    if (actor.gate && !opts.allowGated) {
      return {
        ok: false,
        error: t(actor.gate === "password" ? "errors.mustChangePassword" : "errors.mustEnrollTwoFactor"),
        code: "accountGated",
      };
    }
    const parsed = schema.safeParse(input);
    if (!parsed.success) {
      const fe = fieldErrors(parsed.error, t);
      return { ok: false, error: Object.values(fe)[0] ?? t("validation.invalid"), fieldErrors: fe };
    }
    try {
      return { ok: true, data: await fn(parsed.data, actor) };
    } catch (e) {
      if (isAppError(e)) {
        // Codes are keys under "errors", or full keys ("refunds.errors.overRefund") for a capability's own.
        const key = e.code.includes(".") ? e.code : `errors.${e.code}`;
        const base = t.has(key) ? t(key, e.values) : t("errors.internal");
        const error = e.detail ? `${base}${t("errors.separator")}${e.detail}` : base;
        return { ok: false, error, code: e.code, fieldErrors: e.field ? { [e.field]: error } : undefined };
      }
      console.error("[action] failed", e);
      return { ok: false, error: t("errors.internal") };
    }
  };
  // The capability travels with the action, so a test can hold every action to ARCHITECTURE.md §4.
  return Object.assign(action, { capability, audit: opts.audit });
}
