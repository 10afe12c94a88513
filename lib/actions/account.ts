"use server";
import { revalidatePath } from "next/cache";
import { authedAction } from "./safe-action";
import { sessionVersionTicket, updateSession } from "../auth/config";
import * as accounts from "../services/accounts";
import { changePasswordSchema, disableTwoFactorSchema, staffIdSchema, twoFactorCodeSchema } from "../validations/staff";
import { z } from "../zod";

const none = z.object({});

/**
 * Change one's own password. Every other session of the account ends (the session version moves
 * on); this one is re-issued with the new version, so the person stays signed in here, as
 * GitHub or Google do. Allowed while the account is gated: it is how the gate is passed.
 */
export const changeOwnPasswordAction = authedAction(
  "account.self",
  changePasswordSchema,
  async ({ current, next }, actor) => {
    const { sessionVersion } = await accounts.changeOwnPassword(actor, { current, next });
    await updateSession({ svTicket: sessionVersionTicket(actor.id, sessionVersion) } as never);
    revalidatePath("/", "layout");
    return null;
  },
  { allowGated: true },
);

/** Start enrolling in two-factor sign-in: the secret and its otpauth:// URI, this once. */
export const startTwoFactorAction = authedAction(
  "account.self",
  none,
  async (_input, actor) => accounts.startTwoFactor(actor),
  { allowGated: true },
);

/** Confirm enrollment with a code: answers the 10 recovery codes, this once. */
export const confirmTwoFactorAction = authedAction(
  "account.self",
  twoFactorCodeSchema,
  async ({ code }, actor) => {
    const out = await accounts.confirmTwoFactor(actor, code);
    revalidatePath("/", "layout");
    return out;
  },
  { allowGated: true },
);

export const disableTwoFactorAction = authedAction(
  "account.self",
  disableTwoFactorSchema,
  async ({ password }, actor) => {
    await accounts.disableTwoFactor(actor, password);
    revalidatePath("/account");
    return null;
  },
);

/** An admin turns off someone else's two-factor sign-in (lost phone and recovery codes). */
export const resetTwoFactorAction = authedAction("staff.manage", staffIdSchema, async ({ id }, actor) => {
  await accounts.resetTwoFactor(actor, id);
  revalidatePath("/staff");
  return null;
});
