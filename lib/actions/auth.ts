"use server";
import { signOut } from "../auth/config";

/**
 * Public by nature (runs without a session). Logging in is not an action: the login page is a
 * plain HTML form posting to its own route (app/(auth)/login/route.ts → lib/auth/login.ts).
 */
export async function logoutAction(): Promise<void> {
  await signOut({ redirectTo: "/login" });
}
