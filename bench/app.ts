/**
 * Bench helpers that use the console's own services (run with `node --conditions=react-server
 * --import tsx`: the services import \`server-only\`).
 */
import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { AUTH_SECRET, BENCH_ADMIN, DATABASE_URL, SANDBOX_URL } from "./lib";

/** 500 charges through the console's own service, exactly as the cashier form's action does. */
export async function createPollCharges(n: number): Promise<{ id: string; chargeId: string }[]> {
  Object.assign(process.env, { DATABASE_URL, PINGPP_API_BASE: SANDBOX_URL, PINGPP_API_KEY: "", AUTH_SECRET });
  const { createCharge } = await import("../lib/services/charges");
  const { createChargeSchema } = await import("../lib/validations/charges");
  const { closeDb } = await import("../lib/db");
  const sql = postgres(DATABASE_URL, { max: 1, onnotice: () => {} });
  const [admin] =
    await sql`select id, email, name, role, terminal_id from staff_users where email = ${BENCH_ADMIN.email}`;
  await sql.end();
  if (!admin) throw new Error("bench admin missing");
  const actor = {
    id: admin.id as string,
    email: admin.email as string,
    name: admin.name as string,
    role: "admin" as const,
    terminalId: null,
    ip: "127.0.0.1",
  };
  const out: { id: string; chargeId: string }[] = [];
  const queue = Array.from({ length: n }, (_, i) => i);
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        const input = createChargeSchema.parse({
          idempotencyKey: randomUUID(),
          amount: (1 + (i % 500) / 100).toFixed(2),
          channel: "alipay_qr",
          subject: "bench",
          body: "status poll bench",
          terminalId: `T${String(i % 100).padStart(3, "0")}`,
        });
        const v = await createCharge(actor, input);
        out.push({ id: v.id, chargeId: v.chargeId! });
      }
    }),
  );
  await closeDb();
  return out;
}
