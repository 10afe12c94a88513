import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { encode } from "next-auth/jwt";
import { eq } from "drizzle-orm";
import { freshDb, closeDb } from "@/tests/helpers/db";
import { addActor } from "@/tests/helpers/actors";
import { staffUsers } from "@/lib/db/schema";
import type { Db } from "@/lib/db";
import { env } from "@/lib/env";

/**
 * getActor with real next-auth session cookies (encrypted JWTs made by next-auth's own
 * `encode`): only Next's request context (the cookie jar, the headers) is stood in for.
 */
let jar: Record<string, string> = {};
let proto = "http";
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ "x-forwarded-for": "203.0.113.7", "x-forwarded-proto": proto }),
  cookies: async () => ({
    get: (name: string) => (name in jar ? { name, value: jar[name]! } : undefined),
    getAll: () => Object.entries(jar).map(([name, value]) => ({ name, value })),
  }),
}));

const COOKIE = "authjs.session-token";
let db: Db;
let getActor: typeof import("./session").getActor;
let cashierId: string;

/** A cookie as next-auth makes it at login (lib/auth/config.ts jwt callback: uid, sv, loginAt). */
const token = (claims: Record<string, unknown>, opts: { secret?: string; salt?: string; maxAge?: number } = {}) =>
  encode({
    token: { loginAt: Math.floor(Date.now() / 1000), ...claims },
    secret: opts.secret ?? env().authSecret,
    salt: opts.salt ?? COOKIE,
    maxAge: opts.maxAge ?? 3600,
  });

beforeAll(async () => {
  db = await freshDb();
  ({ getActor } = await import("./session"));
});
afterAll(closeDb);

beforeEach(async () => {
  jar = {};
  proto = "http";
  await db.delete(staffUsers);
  cashierId = (await addActor(db, "c@auth.test", "cashier", "T07")).id;
});

describe("getActor: the session cookie, then the staff row, on every call", () => {
  it("a valid cookie gives the staff member, with the request's IP", async () => {
    jar[COOKIE] = await token({ uid: cashierId, sv: 1 });
    expect(await getActor()).toMatchObject({ id: cashierId, role: "cashier", terminalId: "T07", ip: "203.0.113.7" });
  });

  it("reads a cookie next-auth split into chunks, and the __Secure- name used over HTTPS", async () => {
    const t = await token({ uid: cashierId, sv: 1 });
    jar[`${COOKIE}.1`] = t.slice(100);
    jar[`${COOKIE}.0`] = t.slice(0, 100);
    expect((await getActor())?.id).toBe(cashierId);
    proto = "https";
    jar = { [`__Secure-${COOKIE}`]: await token({ uid: cashierId, sv: 1 }, { salt: `__Secure-${COOKIE}` }) };
    expect((await getActor())?.id).toBe(cashierId);
  });

  it("given a route's Request, reads the cookie, scheme and IP from it, not from Next.js's request scope", async () => {
    const t = await token({ uid: cashierId, sv: 1 });
    const req = (headers: Record<string, string>) => new Request("http://console.test/api/x", { headers });
    expect(await getActor(req({ cookie: `other=1; ${COOKIE}=${t}`, "x-forwarded-for": "198.51.100.4" }))).toMatchObject(
      { id: cashierId, ip: "198.51.100.4" },
    );
    expect(
      await getActor(req({ cookie: `${COOKIE}.1=${t.slice(100)}; ${COOKIE}.0=${t.slice(0, 100)}` })).then((a) => a?.id),
    ).toBe(cashierId);
    // the scope's jar holds a good cookie, the Request none: nobody (the Request is what counts)
    jar[COOKIE] = t;
    expect(await getActor(req({}))).toBeNull();
    // over HTTPS only the __Secure- name counts, as without a Request
    expect(await getActor(req({ cookie: `${COOKIE}=${t}`, "x-forwarded-proto": "https" }))).toBeNull();
    const secure = await token({ uid: cashierId, sv: 1 }, { salt: `__Secure-${COOKIE}` });
    expect((await getActor(req({ cookie: `__Secure-${COOKIE}=${secure}`, "x-forwarded-proto": "https" })))?.id).toBe(
      cashierId,
    );
  });

  it("only the name next-auth uses for this request counts: no plain cookie over HTTPS, no __Secure- one over HTTP", async () => {
    proto = "https";
    jar = { [COOKIE]: await token({ uid: cashierId, sv: 1 }) }; // left from an http:// visit
    expect(await getActor()).toBeNull();
    proto = "http";
    jar = { [`__Secure-${COOKIE}`]: await token({ uid: cashierId, sv: 1 }, { salt: `__Secure-${COOKIE}` }) };
    expect(await getActor()).toBeNull();
  });

  it("a session ends one shift after the login, however often the cookie was re-issued; a cookie without a login time is refused", async () => {
    const shift = 8 * 60 * 60;
    jar[COOKIE] = await token(
      { uid: cashierId, sv: 1, loginAt: Math.floor(Date.now() / 1000) - shift - 60 },
      { maxAge: 3600 },
    );
    expect(await getActor()).toBeNull();
    jar[COOKIE] = await token(
      { uid: cashierId, sv: 1, loginAt: Math.floor(Date.now() / 1000) - shift + 600 },
      { maxAge: 3600 },
    );
    expect((await getActor())?.id).toBe(cashierId);
    jar[COOKIE] = await token({ uid: cashierId, sv: 1, loginAt: undefined });
    expect(await getActor()).toBeNull();
  });

  it("no cookie, a tampered one, another secret's, another cookie name's or an expired one → nobody", async () => {
    expect(await getActor()).toBeNull();
    const t = await token({ uid: cashierId, sv: 1 });
    jar[COOKIE] = t.slice(0, -4) + (t.endsWith("AAAA") ? "BBBB" : "AAAA");
    expect(await getActor()).toBeNull();
    jar[COOKIE] = await token({ uid: cashierId, sv: 1 }, { secret: "another-secret-0123456789abcdef0123456789" });
    expect(await getActor()).toBeNull();
    jar[COOKIE] = await token({ uid: cashierId, sv: 1 }, { salt: `__Secure-${COOKIE}` });
    expect(await getActor()).toBeNull();
    jar[COOKIE] = await token({ uid: cashierId, sv: 1 }, { maxAge: -60 });
    expect(await getActor()).toBeNull();
  });

  it("a cookie that was good stops working the moment the account is disabled or its session version moves", async () => {
    jar[COOKIE] = await token({ uid: cashierId, sv: 1 });
    expect((await getActor())?.id).toBe(cashierId); // now decoded and cached
    await db.update(staffUsers).set({ disabledAt: new Date() }).where(eq(staffUsers.id, cashierId));
    expect(await getActor()).toBeNull();
    await db.update(staffUsers).set({ disabledAt: null, sessionVersion: 2 }).where(eq(staffUsers.id, cashierId));
    expect(await getActor()).toBeNull();
    jar[COOKIE] = await token({ uid: cashierId, sv: 2 });
    expect((await getActor())?.id).toBe(cashierId);
  });

  it("a role change is seen on the next call, not when the cookie was made", async () => {
    jar[COOKIE] = await token({ uid: cashierId, sv: 1, role: "cashier" });
    expect((await getActor())?.role).toBe("cashier");
    await db.update(staffUsers).set({ role: "finance" }).where(eq(staffUsers.id, cashierId));
    expect((await getActor())?.role).toBe("finance");
  });
});
