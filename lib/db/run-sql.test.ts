import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { freshDb, closeDb } from "@/tests/helpers/db";
import { charges } from "@/lib/db/schema";
import { mapRow, runSql, type Db } from "@/lib/db";
import { isDatabaseUnavailable, isUniqueViolation } from "@/lib/services/webhooks/triage";

/**
 * runSql (the webhook path's statements as SQL text on the driver) on both drivers: it runs in the
 * transaction it is given (sees its writes, is undone by its rollback), a `returning *` row, mapped,
 * is what drizzle's own select gives, and the server's errors reach the webhook's triage as before.
 */
describe("runSql", () => {
  let db: Db;
  beforeAll(async () => {
    db = await freshDb();
  });
  afterAll(closeDb);

  const row = (orderNo: string) => ({
    orderNo,
    appId: "app_RunSql000000001",
    channel: "alipay_qr",
    amount: 1234,
    currency: "cny",
    subject: "runSql",
    body: "runSql",
    status: "pending" as const,
    timeExpire: new Date("2026-12-03T08:00:00.000Z"),
  });

  it("runs inside the transaction: sees its uncommitted row, and a rollback undoes its update", async () => {
    await db.insert(charges).values(row("rs-rollback"));
    await expect(
      db.transaction(async (tx) => {
        const [seen] = await runSql<{ status: string }>(
          tx,
          "update charges set status = 'paid' where order_no = $1 returning status",
          ["rs-rollback"],
        );
        expect(seen?.status).toBe("paid");
        // the same transaction reads its own write
        const [inside] = await tx.select().from(charges).where(eq(charges.orderNo, "rs-rollback"));
        expect(inside?.status).toBe("paid");
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    const [after] = await db.select().from(charges).where(eq(charges.orderNo, "rs-rollback"));
    expect(after?.status).toBe("pending");
  });

  it("on the database itself, a parameter used in SET and WHERE, and `returning *` mapped as drizzle selects it", async () => {
    await db.insert(charges).values(row("rs-map"));
    const raw = { id: "ch_RunSqlMap0000000001", object: "charge", amount: 1234, metadata: { 备注: "收银台" } };
    const [returned] = await runSql(
      db,
      `update charges set pingpp_id = $1, raw = $2::jsonb, time_paid = $3::timestamptz,
         amount_refunded = greatest(amount_refunded, $4::bigint)
       where order_no = $5 and (pingpp_id is null or pingpp_id = $1) returning *`,
      [raw.id, JSON.stringify(raw), "2026-12-03T08:30:00.000Z", 34, "rs-map"],
    );
    expect(returned).toBeDefined();
    const mapped = mapRow(charges, returned!);
    const [selected] = await db.select().from(charges).where(eq(charges.orderNo, "rs-map"));
    expect(mapped).toEqual(selected);
    expect(mapped.pingppId).toBe(raw.id);
    expect(mapped.raw).toEqual(raw);
    expect(mapped.timePaid).toEqual(new Date("2026-12-03T08:30:00.000Z"));
    expect(mapped.timeExpire).toEqual(new Date("2026-12-03T08:00:00.000Z"));
    expect(mapped.amountRefunded).toBe(34);
  });

  it("answers no rows for a statement that matches nothing", async () => {
    expect(await runSql(db, "update charges set status = 'paid' where order_no = $1 returning id", ["none"])).toEqual(
      [],
    );
  });

  it("passes the server's errors on as the server sent them: a missing table, a unique violation", async () => {
    await expect(runSql(db, "select * from no_such_table where id = $1", ["x"])).rejects.toMatchObject({
      code: "42P01",
      severity: "ERROR",
    });
    const [{ id } = { id: "" }] = await runSql<{ id: string }>(
      db,
      "insert into charges (order_no, app_id, channel, amount, currency, subject, body, status) values ($1, 'app_RunSql000000001', 'alipay_qr', 1, 'cny', 's', 'b', 'pending') returning id",
      ["rs-dup"],
    );
    const duplicate = await runSql(
      db,
      "insert into charges (id, order_no, app_id, channel, amount, currency, subject, body, status) values ($1, 'rs-dup2', 'app_RunSql000000001', 'alipay_qr', 1, 'cny', 's', 'b', 'pending')",
      [id],
    ).catch((e: unknown) => e);
    // the webhook retries a unique violation once, and keeps it as failed (not 503) after that
    expect(isUniqueViolation(duplicate)).toBe(true);
    expect(isDatabaseUnavailable(duplicate)).toBe(false);
  });

  it("refuses an undefined parameter before it reaches the driver, as a plain error (not an outage)", async () => {
    const e = await runSql(db, "select $1::text as v", [undefined]).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).message).toMatch(/\$1 is undefined/);
    expect(isDatabaseUnavailable(e)).toBe(false);
  });

  // PGlite has one connection and no lock waits; on Postgres a row lock held by another transaction
  // and a short lock_timeout give the server's 55P03, which must read as "unavailable" (the webhook
  // answers 503 and Ping++ retries) as it did through drizzle.
  it.skipIf(!process.env.DATABASE_URL)("a lock wait that times out reads as unavailable (Postgres)", async () => {
    await db.insert(charges).values(row("rs-lock"));
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holder = db.transaction(async (tx) => {
      await runSql(tx, "select id from charges where order_no = $1 for update", ["rs-lock"]);
      locked();
      await held;
    });
    await isLocked;
    const err = await db
      .transaction(async (tx) => {
        await runSql(tx, "select set_config('lock_timeout', $1, true)", ["100ms"]);
        await runSql(tx, "select id from charges where order_no = $1 for update", ["rs-lock"]);
      })
      .catch((e: unknown) => e);
    release();
    await holder;
    expect(err).toMatchObject({ code: "55P03" });
    expect(isDatabaseUnavailable(err)).toBe(true);
  });
});
