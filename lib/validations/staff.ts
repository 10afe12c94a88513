import { z } from "../zod";
import { ROLES } from "./roles";

export { ROLES };
export const roleSchema = z.enum(ROLES);

// Messages are i18n keys under "validation" (lib/i18n/messages/*.json).
export const emailSchema = z.string().trim().toLowerCase().pipe(z.email("email"));
export const passwordSchema = z.string().min(10, "passwordTooShort").max(128, "passwordTooLong");
export const terminalIdSchema = z
  .string()
  .trim()
  .max(32, "terminalTooLong")
  .regex(/^[A-Za-z0-9_-]*$/, "terminalChars")
  .transform((v) => (v === "" ? null : v));

export const loginSchema = z.object({
  email: emailSchema,
  password: z.string().min(1, "required").max(128, "passwordTooLong"),
  /**
   * The second step: a 6-digit authenticator code or a recovery code (only when the account has two-factor sign-in).
   */
  code: z.string().trim().max(32, "invalid").optional(),
});

/** Changing one's own password: the current one, and a new one by the same rules as a new staff member's. */
export const changePasswordSchema = z
  .object({
    current: z.string().min(1, "required").max(128, "passwordTooLong"),
    next: passwordSchema,
    confirm: z.string(),
  })
  .refine((v) => v.next === v.confirm, { message: "passwordsDiffer", path: ["confirm"] });

export const twoFactorCodeSchema = z.object({
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, "totpCode"),
});
export const disableTwoFactorSchema = z.object({ password: z.string().min(1, "required").max(128, "passwordTooLong") });

export const createStaffSchema = z.object({
  email: emailSchema,
  name: z.string().trim().min(1, "required").max(64, "tooLong"),
  role: roleSchema,
  terminalId: terminalIdSchema.optional(),
  password: z
    .string()
    .optional()
    .transform((v) => (v ? v : undefined))
    .pipe(passwordSchema.optional()),
});
export type CreateStaffInput = z.input<typeof createStaffSchema>;

export const staffIdSchema = z.object({ id: z.uuid("invalidId") });
export const changeRoleSchema = staffIdSchema.extend({ role: roleSchema });
export const assignTerminalSchema = staffIdSchema.extend({ terminalId: terminalIdSchema });
export const setDisabledSchema = staffIdSchema.extend({ disabled: z.boolean() });
