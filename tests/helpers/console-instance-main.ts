/**
 * A second console instance, in its own process, for the fault tests (started by
 * tests/helpers/console-instance.ts; not a test itself). It runs the console's real code against
 * the database and Ping++ its environment names (DATABASE_URL, PINGPP_API_BASE, PINGPP_PUBLIC_KEY):
 * the real webhook route handler (app/api/webhooks/pingpp/route.ts) and the status long-poll
 * routes (GET /api/charges/{id}/status, GET /api/terminals/{t}/active, session cookie and all)
 * behind a bare node:http server on a random port, and the real createCharge / startBatch
 * services when the parent asks over IPC. With CONSOLE_INSTANCE_SCHEDULER=1 it also runs the
 * background scheduler (lib/jobs), as every production instance does.
 * No build needed (tests/helpers/standalone-server.ts starts the built Next.js server instead).
 * The parent kills it (SIGKILL) in the middle of either.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { getDb } from "@/lib/db";
import { POST as webhook } from "@/app/api/webhooks/pingpp/route";
import { GET as chargeStatusGET } from "@/app/api/charges/[id]/status/route";
import { GET as terminalActiveGET } from "@/app/api/terminals/[terminal]/active/route";
import { createCharge } from "@/lib/services/charges";
import { startBatch, type WorkerOptions } from "@/lib/services/red-envelope-batches";
import { startScheduler } from "@/lib/jobs";
import { AppError } from "@/lib/services/errors";
import type { Actor } from "@/lib/services/actor";
import type { CreateChargeData } from "@/lib/validations/charges";

export type InstanceRequest =
  | { id: number; op: "createCharge"; actor: Actor; input: CreateChargeData }
  | { id: number; op: "startBatch"; actor: Actor; batchId: string; options: Omit<WorkerOptions, "signal"> };
export type InstanceMessage =
  | { type: "ready"; port: number }
  | { type: "result"; id: number; ok: true; data: unknown }
  | { type: "result"; id: number; ok: false; error: string };

const send = (m: InstanceMessage) => process.send!(m);

// The routes as Next.js would call them (a standard Request, aborted when the client goes away);
// anything else is a 404.
const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
  const gone = new AbortController();
  res.on("close", () => gone.abort());
  const answer = async (r: Response) =>
    res.writeHead(r.status, Object.fromEntries(r.headers)).end(Buffer.from(await r.arrayBuffer()));
  const get = () => new Request(url, { headers, signal: gone.signal });
  let m: RegExpMatchArray | null;
  if (req.method === "GET" && (m = url.pathname.match(/^\/api\/charges\/([^/]+)\/status$/)))
    return void chargeStatusGET(get(), { params: Promise.resolve({ id: decodeURIComponent(m[1]!) }) }).then(answer);
  if (req.method === "GET" && (m = url.pathname.match(/^\/api\/terminals\/([^/]+)\/active$/)))
    return void terminalActiveGET(get(), { params: Promise.resolve({ terminal: decodeURIComponent(m[1]!) }) }).then(
      answer,
    );
  if (req.method !== "POST" || url.pathname !== "/api/webhooks/pingpp") return void res.writeHead(404).end();
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", async () => {
    await answer(await webhook(new Request(url, { method: "POST", headers, body: Buffer.concat(chunks) })));
  });
});

process.on("message", async (m: InstanceRequest) => {
  try {
    const data =
      m.op === "startBatch" ? await startBatch(m.actor, m.batchId, m.options) : await createCharge(m.actor, m.input);
    send({ type: "result", id: m.id, ok: true, data });
  } catch (e) {
    send({ type: "result", id: m.id, ok: false, error: e instanceof AppError ? e.code : String(e) });
  }
});
process.on("disconnect", () => process.exit(0)); // the parent went away

await getDb(); // connected and migrated before saying ready
if (process.env.CONSOLE_INSTANCE_SCHEDULER === "1") startScheduler();
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
send({ type: "ready", port: (server.address() as AddressInfo).port });
