// Helpers for the sandbox's own tests: real HTTP against a sandbox started on a random port.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Sandbox } from "./server";

export interface ApiResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export async function call(
  sb: Pick<Sandbox, "url" | "apiKey">,
  method: string,
  path: string,
  body?: unknown,
  opts: { auth?: string | null; headers?: Record<string, string>; raw?: string } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.auth !== null) headers.authorization = opts.auth ?? `Bearer ${sb.apiKey}`;
  const payload = opts.raw ?? (body === undefined ? undefined : JSON.stringify(body));
  if (payload !== undefined && !headers["content-type"]) headers["content-type"] = "application/json";
  // node:http sends the request target verbatim (fetch would drop a lone trailing "?")
  const res = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>(
    (resolve, reject) => {
      const req = http.request(sb.url + path, { method, headers }, (r) => {
        const chunks: Buffer[] = [];
        r.on("data", (c: Buffer) => chunks.push(c));
        r.on("end", () =>
          resolve({ status: r.statusCode ?? 0, headers: r.headers, text: Buffer.concat(chunks).toString("utf8") }),
        );
        r.on("error", reject);
      });
      req.on("error", reject);
      req.end(payload);
    },
  );
  let parsed: unknown = undefined;
  try {
    parsed = JSON.parse(res.text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, text: res.text, body: parsed };
}

export interface Received {
  raw: Buffer;
  signature: string | undefined;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  event: any;
}

/** A local webhook receiver; `statuses` are answered in order, then 200. */
export async function startReceiver(statuses: number[] = []) {
  const received: Received[] = [];
  let hits = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const status = statuses[hits++] ?? 200;
      const sig = req.headers["x-pingplusplus-signature"];
      if (status >= 200 && status < 300)
        received.push({
          raw,
          signature: typeof sig === "string" ? sig : undefined,
          event: JSON.parse(raw.toString("utf8")),
        });
      res.writeHead(status, { "content-type": "text/plain" });
      res.end(status < 300 ? "OK" : "nope");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    received,
    hits: () => hits,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export async function waitFor<T>(
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 5000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error("waitFor: timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

let seq = 0;
/** A unique alphanumeric order number. */
export const orderNo = () => `T${Date.now()}${seq++}`;

export const chargeParams = (appId: string, over: Record<string, unknown> = {}) => ({
  order_no: orderNo(),
  app: { id: appId },
  channel: "alipay_qr",
  amount: 1000,
  currency: "cny",
  client_ip: "127.0.0.1",
  subject: "测试商品",
  body: "测试描述",
  ...over,
});
