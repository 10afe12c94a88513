import { describe, expect, it, vi } from "vitest";

vi.mock("next/headers", () => ({
  headers: async () => new Headers(),
  cookies: async () => ({ get: () => undefined, getAll: () => [] }),
}));
const { sessionVersionTicket, ticketVersion } = await import("./config");

/**
 * The session update that keeps this session signed in after one's own password change carries
 * the new session version only in a ticket the server signed: next-auth's session update can also
 * be asked for from the browser, and a stale cookie must not be revived by naming a version.
 */
describe("session-version ticket", () => {
  const uid = "7b0c1a52-3f7e-4d0b-9a7e-2f9d8c6b5a41";

  it("gives the version it was made for, for that user only, for one minute", () => {
    const ticket = sessionVersionTicket(uid, 7);
    expect(ticketVersion(uid, ticket)).toBe(7);
    expect(ticketVersion("00000000-0000-4000-8000-000000000000", ticket)).toBeNull();
    expect(ticketVersion(uid, sessionVersionTicket(uid, 7, Date.now() - 61_000))).toBeNull();
  });

  it("refuses a changed version, a forged or missing ticket", () => {
    const [, exp, mac] = sessionVersionTicket(uid, 7).split(".");
    expect(ticketVersion(uid, `8.${exp}.${mac}`)).toBeNull();
    expect(ticketVersion(uid, `7.${Number(exp) + 600}.${mac}`)).toBeNull();
    expect(ticketVersion(uid, "7")).toBeNull();
    expect(ticketVersion(uid, undefined)).toBeNull();
    expect(ticketVersion(uid, { sv: 8 })).toBeNull();
  });
});
