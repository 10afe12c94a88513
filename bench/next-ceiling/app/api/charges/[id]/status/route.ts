import crypto from "node:crypto";
import postgres from "postgres";

export const dynamic = "force-dynamic";

const sql = postgres(process.env.DATABASE_URL!, {
  max: Number(process.env.DATABASE_POOL_MAX ?? 10),
  onnotice: () => {},
});
const STAFF_ID = process.env.CEILING_STAFF_ID!;

/**
 * The floor of a status poll in Next.js: the same two indexed reads as the console's (the staff
 * row behind the session, the charge by id; prepared statements through postgres.js), a tiny
 * JSON with an ETag, 304 when unchanged. No cookie to decrypt (the staff id is fixed), no drizzle.
 */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const { id } = await ctx.params;
  const [staff] =
    await sql`select id, role, terminal_id from staff_users where id = ${STAFF_ID} and disabled_at is null`;
  if (!staff) return Response.json({ error: "unauthenticated" }, { status: 401 });
  const [c] =
    await sql`select id, pingpp_id, status, amount, channel, qr_payload, time_expire from charges where id = ${id}`;
  if (!c) return Response.json({ error: "chargeNotFound" }, { status: 404 });
  const body = JSON.stringify({
    id: c.id,
    chargeId: c.pingpp_id,
    status: c.status,
    amount: c.amount,
    channel: c.channel,
    qr: c.qr_payload,
    timeExpire: c.time_expire,
  });
  const etag = `"${crypto.createHash("sha1").update(body).digest("base64url")}"`;
  const headers = { etag, "cache-control": "private, no-cache", vary: "cookie" };
  if (req.headers.get("if-none-match") === etag) return new Response(null, { status: 304, headers });
  return new Response(body, { headers: { ...headers, "content-type": "application/json" } });
}
