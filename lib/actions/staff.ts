"use server";
import { revalidatePath } from "next/cache";
import { authedAction } from "./safe-action";
import * as staff from "../services/staff";
import {
  assignTerminalSchema,
  changeRoleSchema,
  createStaffSchema,
  setDisabledSchema,
  staffIdSchema,
} from "../validations/staff";

const done = <T>(v: T) => {
  revalidatePath("/staff");
  return v;
};

export const createStaffAction = authedAction("staff.manage", createStaffSchema, async (input, actor) => {
  const { user, generatedPassword } = await staff.createStaff(actor, input);
  return done({ id: user.id, email: user.email, generatedPassword });
});

export const changeRoleAction = authedAction("staff.manage", changeRoleSchema, async ({ id, role }, actor) =>
  done((await staff.changeRole(actor, id, role)).role),
);

export const assignTerminalAction = authedAction(
  "staff.manage",
  assignTerminalSchema,
  async ({ id, terminalId }, actor) => done((await staff.assignTerminal(actor, id, terminalId)).terminalId),
);

export const setDisabledAction = authedAction("staff.manage", setDisabledSchema, async ({ id, disabled }, actor) =>
  done(!!(await staff.setDisabled(actor, id, disabled)).disabledAt),
);

export const resetPasswordAction = authedAction("staff.manage", staffIdSchema, async ({ id }, actor) =>
  done({ password: (await staff.resetPassword(actor, id)).password }),
);
