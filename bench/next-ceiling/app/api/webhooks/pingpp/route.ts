import postgres from "postgres";
import { baselineIngest } from "../../../../../baseline-ingest";

export const dynamic = "force-dynamic";

/** The baseline's exact webhook code (bench/baseline-ingest.ts) in a Next.js route handler. */
const sql = postgres(process.env.DATABASE_URL!, {
  max: Number(process.env.DATABASE_POOL_MAX ?? 10),
  onnotice: () => {},
});
const deliver = baselineIngest(sql, process.env.PUBLIC_KEY_PEM!);

export async function POST(req: Request) {
  const r = await deliver(
    Buffer.from(await req.arrayBuffer()),
    req.headers.get("x-pingplusplus-signature") ?? undefined,
  );
  return new Response(r.text, { status: r.code, headers: { "content-type": "text/plain; charset=utf-8" } });
}
