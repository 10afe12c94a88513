/**
 * A second console instance, in its own process, for the fault tests (started by
 * tests/helpers/console-instance.ts; not a test itself). It runs the console's real code against
 * the database and Ping++ its environment names (DATABASE_URL, PINGPP_API_BASE, PINGPP_PUBLIC_KEY):
 * the production front with its hot routes (the real webhook route, lib/http/serve.ts) on a random
 * port, and the real createCharge service when the parent asks
 * over IPC. The parent kills it (SIGKILL) in the middle of either.
 */
import type { AddressInfo } from "node:net";
import { getDb } from "@/lib/db";
import { createConsoleServer } from "@/lib/http/serve";
import { HOT_ROUTES } from "@/scripts/hot-routes";
import { createCharge } from "@/lib/services/charges";
import { AppError } from "@/lib/services/errors";
import type { Actor } from "@/lib/services/actor";
import type { CreateChargeData } from "@/lib/validations/charges";

export type InstanceRequest = { id: number; op: "createCharge"; actor: Actor; input: CreateChargeData };
export type InstanceMessage =
  | { type: "ready"; port: number }
  | { type: "result"; id: number; ok: true; data: unknown }
  | { type: "result"; id: number; ok: false; error: string };

const send = (m: InstanceMessage) => process.send!(m);

// No Next.js behind this front: anything but a hot route is a 404.
const server = createConsoleServer(HOT_ROUTES, (_req, res) => void res.writeHead(404).end());

process.on("message", async (m: InstanceRequest) => {
  try {
    const data = await createCharge(m.actor, m.input);
    send({ type: "result", id: m.id, ok: true, data });
  } catch (e) {
    send({ type: "result", id: m.id, ok: false, error: e instanceof AppError ? e.code : String(e) });
  }
});
process.on("disconnect", () => process.exit(0)); // the parent went away

await getDb(); // connected and migrated before saying ready
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
send({ type: "ready", port: (server.address() as AddressInfo).port });
