import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { desc, eq } from "drizzle-orm";
import { freshDb, closeDb } from "@/tests/helpers/db";
import { addActor } from "@/tests/helpers/actors";
import { auditLogs, staffUsers } from "@/lib/db/schema";
import type { Db } from "@/lib/db";

/**
 * Logging out ends the session on the server: the real next-auth routes (sign-in with the
 * credentials provider, sign-out), and a copy of the cookie taken before signing out.
 */
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ "x-forwarded-for": "203.0.113.9" }),
  cookies: async () => ({ get: () => undefined, getAll: () => [] }),
}));

let db: Db;
let handlers: typeof import("./config").handlers;
let getActor: typeof import("./actor").getActor;
const BASE = "http://console.test/api/auth";

/** name=value pairs of a response's Set-Cookie headers. */
const setCookies = (res: Response) =>
  Object.fromEntries(
    res.headers.getSetCookie().map((c) => c.split(";")[0]!.split(/=(.*)/s).slice(0, 2) as [string, string]),
  );
const cookieHeader = (jar: Record<string, string>) =>
  Object.entries(jar)
    .map(([k, v]) => `${k}=${v}`)
    .join("; ");

async function csrf(jar: Record<string, string>) {
  const res = await handlers.GET(new Request(`${BASE}/csrf`, { headers: { cookie: cookieHeader(jar) } }) as never);
  Object.assign(jar, setCookies(res));
  return ((await res.json()) as { csrfToken: string }).csrfToken;
}
async function post(path: string, jar: Record<string, string>, form: Record<string, string>) {
  const res = await handlers.POST(
    new Request(`${BASE}/${path}`, {
      method: "POST",
      headers: {
        cookie: cookieHeader(jar),
        "content-type": "application/x-www-form-urlencoded",
        "x-forwarded-for": "203.0.113.9",
      },
      body: new URLSearchParams(form),
    }) as never,
  );
  Object.assign(jar, setCookies(res));
  return res;
}
const SESSION = "authjs.session-token";
const asRequest = (token: string) =>
  new Request("http://console.test/api/charges/x/status", { headers: { cookie: `${SESSION}=${token}` } });

beforeAll(async () => {
  db = await freshDb();
  ({ handlers } = await import("./config"));
  ({ getActor } = await import("./actor"));
});
afterAll(closeDb);

describe("logout", () => {
  it("ends the session server-side: a copy of the cookie no longer works afterwards", async () => {
    const bcrypt = (await import("bcryptjs")).default;
    const { id } = await addActor(db, "out@auth.test", "finance");
    await db
      .update(staffUsers)
      .set({ passwordHash: await bcrypt.hash("correct-horse", 4) })
      .where(eq(staffUsers.id, id));

    const jar: Record<string, string> = {};
    await post("callback/credentials", jar, {
      csrfToken: await csrf(jar),
      email: "out@auth.test",
      password: "correct-horse",
    });
    const copied = jar[SESSION];
    expect(copied).toBeTruthy();
    expect((await getActor(asRequest(copied!)))?.id).toBe(id);

    const res = await post("signout", jar, { csrfToken: await csrf(jar) });
    expect(res.status).toBeLessThan(400);
    expect(jar[SESSION]).toBe(""); // the browser's cookie is cleared…
    expect(await getActor(asRequest(copied!))).toBeNull(); // …and the copy is refused by the server
    const [a] = await db.select().from(auditLogs).orderBy(desc(auditLogs.id)).limit(1);
    expect(a).toMatchObject({ action: "auth.logout", actorId: id, result: "ok", ip: "203.0.113.9" });

    // signing in again works, with a new cookie
    await post("callback/credentials", jar, {
      csrfToken: await csrf(jar),
      email: "out@auth.test",
      password: "correct-horse",
    });
    expect((await getActor(asRequest(jar[SESSION]!)))?.id).toBe(id);
    expect(await getActor(asRequest(copied!))).toBeNull();
  });

  it("endSession with a stale version changes nothing", async () => {
    const { endSession } = await import("@/lib/services/staff");
    const { id } = await addActor(db, "stale@auth.test", "cashier");
    expect(await endSession({ uid: id, sv: 7, ip: "1.2.3.4" })).toBe(false);
    const [u] = await db.select().from(staffUsers).where(eq(staffUsers.id, id));
    expect(u!.sessionVersion).toBe(1);
    expect(await endSession({ uid: id, sv: 1, ip: "1.2.3.4" })).toBe(true);
    const [v] = await db.select().from(staffUsers).where(eq(staffUsers.id, id));
    expect(v!.sessionVersion).toBe(2);
  });
});
