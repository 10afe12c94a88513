import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { freshDb, closeDb } from "@/tests/helpers/db";
import { charges } from "@/lib/db/schema";
import { mapRow, runSql, type Db } from "@/lib/db";

/**
 * runSql (the webhook path's statements as SQL text on the driver) on both drivers: it runs in the
 * transaction it is given (sees its writes, is undone by its rollback), and a `returning *` row,
 * mapped, is what drizzle's own select gives.
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
        // the same transaction reads its own write; outside it is not visible yet
        const [inside] = await tx.select().from(charges).where(eq(charges.orderNo, "rs-rollback"));
        expect(inside?.status).toBe("paid");
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    const [after] = await db.select().from(charges).where(eq(charges.orderNo, "rs-rollback"));
    expect(after?.status).toBe("pending");
  });

  it("on the database itself, with parameters used twice, and `returning *` mapped as drizzle selects it", async () => {
    await db.insert(charges).values(row("rs-map"));
    const [raw] = await runSql(
      db,
      "update charges set time_paid = $1::timestamptz, amount_refunded = greatest(amount_refunded, $2::bigint) where order_no = $3 or order_no = $3 returning *",
      ["2026-12-03T08:30:00.000Z", 34, "rs-map"],
    );
    expect(raw).toBeDefined();
    const mapped = mapRow(charges, raw!);
    const [selected] = await db.select().from(charges).where(eq(charges.orderNo, "rs-map"));
    expect(mapped).toEqual(selected);
    expect(mapped.timePaid).toEqual(new Date("2026-12-03T08:30:00.000Z"));
    expect(mapped.amountRefunded).toBe(34);
    expect(mapped.timeExpire).toBeInstanceOf(Date);
  });

  it("answers no rows for a statement that matches nothing, and refuses bad SQL", async () => {
    expect(await runSql(db, "update charges set status = 'paid' where order_no = $1 returning id", ["none"])).toEqual(
      [],
    );
    await expect(runSql(db, "select * from no_such_table where id = $1", ["x"])).rejects.toThrow();
    // the database still answers afterwards
    expect(await db.execute(sql`select 1 as one`)).toBeTruthy();
  });
});
