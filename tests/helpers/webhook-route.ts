import { afterAll, beforeAll } from "vitest";
import type { Db } from "@/lib/db";
import { freshDb, closeDb } from "./db";

/**
 * A webhook test file's world: a fresh database (closed after the file) and the console's own
 * webhook route handler, imported only once the file has set its Ping++ environment (key, app).
 * Hooks run in the describe block it is called in; `ready` hands the two over once they are up.
 */
export function webhookRouteTestbed(ready: (bed: { db: Db; POST: (req: Request) => Promise<Response> }) => void): void {
  beforeAll(async () => {
    const db = await freshDb();
    const { POST } = await import("@/app/api/webhooks/pingpp/route");
    ready({ db, POST });
  });
  afterAll(closeDb);
}
