/**
 * The framework-free baseline of bench/webhook-ingest.ts (started by it, not on its own):
 * node:http + postgres.js doing what POST /api/webhooks/pingpp does for charge.succeeded
 * (bench/baseline-ingest.ts: verify, parse, one transaction). Same tables, same indexes.
 *
 * env: PORT, DATABASE_URL, PUBLIC_KEY_PEM, DATABASE_POOL_MAX (default 10, like the console).
 */
import http from "node:http";
import postgres from "postgres";
import { baselineIngest, MAX_BYTES } from "./baseline-ingest";

const PORT = Number(process.env.PORT);
const sql = postgres(process.env.DATABASE_URL!, {
  max: Number(process.env.DATABASE_POOL_MAX ?? 10),
  onnotice: () => {},
});
const deliver = baselineIngest(sql, process.env.PUBLIC_KEY_PEM!);

const server = http.createServer((req, res) => {
  const send = (code: number, text: string) => {
    res.writeHead(code, { "content-type": "text/plain; charset=utf-8" });
    res.end(text);
  };
  if (req.method !== "POST" || req.url !== "/api/webhooks/pingpp") return send(404, "not found");
  const chunks: Buffer[] = [];
  let size = 0;
  req.on("data", (c: Buffer) => {
    size += c.length;
    if (size <= MAX_BYTES) chunks.push(c);
  });
  req.on("end", () => {
    if (size > MAX_BYTES) return send(413, "payload too large");
    void deliver(Buffer.concat(chunks), req.headers["x-pingplusplus-signature"] as string | undefined).then((r) =>
      send(r.code, r.text),
    );
  });
});
server.keepAliveTimeout = 65_000;
server.listen(PORT, "127.0.0.1", () => console.log(`baseline listening on ${PORT}`));
const stop = () => {
  server.close();
  void sql.end({ timeout: 2 }).finally(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
