import { sql } from "drizzle-orm";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";

export const dynamic = "force-dynamic";

/**
 * Liveness for load balancers and the e2e harness: 200 `{ ok, db, pingpp }` when the database
 * answers, 503 when it does not. Public; reveals only the mode, never a key or a host.
 */
export async function GET() {
  const pingpp = env().pingpp.mode;
  try {
    const db = await getDb();
    await db.execute(sql`select 1`);
    return Response.json({ ok: true, db: "up", pingpp }, { headers: { "cache-control": "no-store" } });
  } catch {
    return Response.json({ ok: false, db: "down", pingpp }, { status: 503, headers: { "cache-control": "no-store" } });
  }
}
