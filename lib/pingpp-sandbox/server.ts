// HTTP server: routing, auth, request-signature verification, forced faults. Entry point: startSandbox().
import { createVerify } from "node:crypto";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import os from "node:os";
import { registerDashboard } from "./dashboard";
import { Engine } from "./engine";
import { registerCharges } from "./resources/charges";
import { registerEvents } from "./resources/events";
import { registerOrders } from "./resources/orders";
import { registerRedEnvelopes } from "./resources/red-envelopes";
import { registerRefunds } from "./resources/refunds";
import { registerRoyalties, seedRoyalties } from "./resources/royalties";
import { Reply, Router, type Req } from "./router";
import { registerSim, type FaultMode } from "./sim";
import { loadOrCreateKeyPair, Store } from "./store";
import { ApiError, channelError, newId, parseQuery } from "./util";
import { signBody, Webhooks } from "./webhooks";

export interface SandboxOptions {
  /** 0 = random; default 4010 */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** persist state (JSON, atomic write-rename) + the sandbox RSA key pair here; undefined = in-memory, fresh key */
  dataDir?: string;
  /** accepted key; default "sk_test_sandbox" */
  apiKey?: string;
  /** default "app_Sandbox000000001" */
  appId?: string;
  /** where events are POSTed; may be changed later via setWebhookUrl or POST /_sim/config */
  webhookUrl?: string;
  /** when set, verify Pingplusplus-Signature on every API request, refuse bad/missing with 401 */
  merchantPublicKeyPem?: string;
  /** multiply webhook retry delays (and default refund/settlement delays); default 1 */
  timeScale?: number;
  /**
   * base used inside QR credentials (`<publicUrl>/pay/<charge id>`); default the listening URL, or, when listening
   * on all interfaces (0.0.0.0 / ::), `http://<first non-internal IPv4>:<port>` so a phone on the LAN can open it
   */
  publicUrl?: string;
  /** pending refund → succeeded after this long; default 2000 ms × timeScale */
  refundDelayMs?: number;
  /** confirmed settlement → outcome after this long; default 2000 ms × timeScale */
  settlementDelayMs?: number;
  /** how long a forced "timeout" fault holds the connection before dropping it; default 30000 ms */
  faultTimeoutMs?: number;
  /** per webhook attempt; default 15000 ms */
  webhookTimeoutMs?: number;
}

export interface Sandbox {
  /** origin, no /v1 */
  url: string;
  /** base of the pay pages inside QR credentials (see SandboxOptions.publicUrl) */
  publicUrl: string;
  /** verifies its webhooks */
  publicKeyPem: string;
  /** where the public key is stored (dataDir only) */
  publicKeyPath: string | null;
  appId: string;
  apiKey: string;
  setWebhookUrl(u: string): void;
  close(): Promise<void>;
}

const HTML_502 =
  "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

const CHANNEL_ERROR_MESSAGE = "渠道请求失败，请稍后重试 (Channel connection error, simulated)";

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > 5 * 1024 * 1024) {
        reject(new ApiError(413, "invalid_request_error", "请求体过大 (Request body too large)"));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** `Authorization: Bearer <key>` or `Basic base64(<key>:)` */
export function apiKeyFrom(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^\s*(\S+)\s+(\S+)\s*$/.exec(header);
  if (!m) return undefined;
  const [, scheme = "", value = ""] = m;
  if (/^bearer$/i.test(scheme)) return value;
  if (/^basic$/i.test(scheme)) {
    const dec = Buffer.from(value, "base64").toString("utf8");
    const i = dec.indexOf(":");
    return i < 0 ? dec : dec.slice(0, i);
  }
  return undefined;
}

/** Signed bytes = raw body + raw request target + timestamp (php without a timestamp: body only). */
export function verifyRequestSignature(
  publicKeyPem: string,
  rawBody: Buffer,
  target: string,
  signature: string | undefined,
  timestamp: string | undefined,
): boolean {
  if (!signature) return false;
  // tolerate a lone trailing "?" being added or dropped on the way
  const targets = new Set([
    target,
    target.endsWith("?") ? target.slice(0, -1) : target.includes("?") ? target : target + "?",
  ]);
  const candidates: Buffer[] = [];
  for (const t of targets) candidates.push(Buffer.concat([rawBody, Buffer.from(t + (timestamp ?? ""), "utf8")]));
  if (!timestamp) candidates.push(rawBody);
  return candidates.some((data) => {
    try {
      return createVerify("RSA-SHA256").update(data).verify(publicKeyPem, signature, "base64");
    } catch {
      return false;
    }
  });
}

/** The first non-internal IPv4 address of this host (what a phone on the same network can reach), if any. */
export function lanIPv4(): string | undefined {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) {
      if (!a.internal && (a.family === "IPv4" || (a.family as unknown) === 4)) return a.address;
    }
  }
  return undefined;
}

/**
 * A dashboard form: a urlencoded POST to /_sim with `_back=/…` (a local path). The control runs as usual and the
 * answer is a 303 back to that page with `?ok=` or `?error=`. Empty fields are dropped (optional inputs left blank).
 */
function dashboardBack(
  method: string,
  path: string,
  contentType: string | undefined,
  body: Record<string, unknown>,
): string | null {
  if (
    method !== "POST" ||
    !path.startsWith("/_sim/") ||
    !String(contentType ?? "").includes("application/x-www-form-urlencoded")
  )
    return null;
  const back = body._back;
  delete body._back;
  for (const [k, v] of Object.entries(body)) if (v === "") delete body[k];
  return typeof back === "string" && back.startsWith("/") && !back.startsWith("//") ? back : null;
}

function withNotice(back: string, key: "ok" | "error", message: string): string {
  const u = new URL(back, "http://sandbox.local");
  u.searchParams.delete("ok");
  u.searchParams.delete("error");
  u.searchParams.set(key, message);
  return u.pathname + u.search;
}

function parseBody(raw: Buffer, contentType: string): Record<string, unknown> {
  const text = raw.toString("utf8").trim();
  if (!text) return {};
  if (contentType.includes("application/x-www-form-urlencoded") && !text.startsWith("{")) return parseQuery(text);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new ApiError(400, "invalid_request_error", "请求体不是合法的 JSON (Request body is not valid JSON)");
  }
  if (!v || typeof v !== "object" || Array.isArray(v)) {
    throw new ApiError(400, "invalid_request_error", "请求体必须是 JSON 对象 (Request body must be a JSON object)");
  }
  return v as Record<string, unknown>;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const timeScale = opts.timeScale ?? 1;
  const apiKey = opts.apiKey ?? "sk_test_sandbox";
  const appId = opts.appId ?? "app_Sandbox000000001";
  const store = new Store(opts.dataDir);
  const keys = loadOrCreateKeyPair(opts.dataDir);
  if (opts.webhookUrl) store.state.config.webhookUrl = opts.webhookUrl;
  const webhookUrl = () => store.state.config.webhookUrl;
  let publicUrl = opts.publicUrl ?? "";

  const webhooks = new Webhooks({
    store,
    privateKeyPem: keys.privateKeyPem,
    webhookUrl,
    timeScale,
    timeoutMs: opts.webhookTimeoutMs,
  });
  const engine = new Engine(store, webhooks, {
    appId,
    apiKey,
    timeScale,
    refundDelayMs: opts.refundDelayMs ?? Math.round(2000 * timeScale),
    settlementDelayMs: opts.settlementDelayMs ?? Math.round(2000 * timeScale),
    publicUrl: () => publicUrl,
  });

  let fault: { mode: FaultMode; remaining: number } | null = null;
  const setWebhookUrl = (u: string) => {
    store.state.config.webhookUrl = u;
    store.save();
    webhooks.kick();
  };

  const router = new Router();
  registerDashboard(router, engine, { webhookUrl, publicUrl: () => publicUrl, fault: () => fault });
  registerCharges(router, engine);
  registerRefunds(router, engine);
  registerOrders(router, engine);
  registerRedEnvelopes(router, engine);
  registerRoyalties(router, engine);
  registerEvents(router, engine);
  registerSim(router, engine, {
    setFault: (mode, count) => {
      fault = mode && count > 0 ? { mode, remaining: count } : null;
    },
    setWebhookUrl,
    webhookUrl,
  });
  seedRoyalties(engine);

  const sockets = new Set<Socket>();
  const holdTimers = new Set<NodeJS.Timeout>();

  const send = (
    res: http.ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
    signResponse = false,
  ) => {
    const isText = typeof body === "string";
    const payload = isText ? body : JSON.stringify(body, null, 2);
    const h: Record<string, string> = { "content-type": "application/json; charset=utf-8", ...headers };
    if (signResponse && status >= 200 && status < 300)
      h["x-pingplusplus-signature"] = signBody(keys.privateKeyPem, payload);
    res.writeHead(status, { ...h, "content-length": String(Buffer.byteLength(payload)) });
    res.end(payload);
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const target = req.url ?? "/";
    const q = target.indexOf("?");
    let path = q < 0 ? target : target.slice(0, q);
    if (path.length > 1 && path.endsWith("/")) path = path.slice(0, -1);
    const rawQuery = q < 0 ? "" : target.slice(q + 1);
    const override = req.headers["x-http-method-override"];
    const method = (
      req.method === "POST" && typeof override === "string" ? override : (req.method ?? "GET")
    ).toUpperCase();
    const api = path === "/v1" || path.startsWith("/v1/");
    try {
      const raw = await readBody(req);
      if (api) {
        if (fault && fault.remaining > 0) {
          const mode = fault.mode;
          fault.remaining -= 1;
          if (fault.remaining <= 0) fault = null;
          if (mode === "500") {
            send(
              res,
              500,
              new ApiError(500, "api_error", "服务器内部错误 (Internal server error, simulated)").toBody(),
            );
          } else if (mode === "502_html") {
            send(res, 502, HTML_502, { "content-type": "text/html" });
          } else if (mode === "channel_error") {
            send(res, 402, channelError(CHANNEL_ERROR_MESSAGE, "channel_connection_error").toBody());
          } else {
            const t = setTimeout(() => {
              holdTimers.delete(t);
              req.socket.destroy();
            }, opts.faultTimeoutMs ?? 30_000);
            holdTimers.add(t);
          }
          return;
        }
        const key = apiKeyFrom(req.headers.authorization);
        if (key !== apiKey) {
          const shown = key ? `${key.slice(0, 8)}${"*".repeat(Math.max(0, Math.min(key.length - 8, 16)))}` : "";
          throw new ApiError(
            401,
            "invalid_request_error",
            key
              ? `无效的 API key: ${shown} (Invalid API key provided)`
              : "未提供 API key (No API key provided; use Authorization: Bearer <key>)",
          );
        }
        if (opts.merchantPublicKeyPem) {
          const sig = req.headers["pingplusplus-signature"];
          const ts = req.headers["pingplusplus-request-timestamp"];
          const ok = verifyRequestSignature(
            opts.merchantPublicKeyPem,
            raw,
            target,
            typeof sig === "string" ? sig : undefined,
            typeof ts === "string" ? ts : undefined,
          );
          if (!ok) {
            throw new ApiError(
              401,
              "invalid_request_error",
              typeof sig === "string"
                ? "请求签名验证失败 (Request signature verification failed)"
                : "缺少请求签名 Pingplusplus-Signature (Missing request signature)",
            );
          }
        }
      }
      const m = router.match(method, path);
      if (!m || m === "method") {
        throw new ApiError(
          404,
          "invalid_request_error",
          `无法识别的请求 URL (Unrecognized request URL: ${method} ${path})`,
        );
      }
      const body =
        method === "GET" || method === "DELETE" ? {} : parseBody(raw, String(req.headers["content-type"] ?? ""));
      const back = dashboardBack(method, path, req.headers["content-type"], body);
      const r: Req = {
        method,
        path,
        params: m.params,
        query: parseQuery(rawQuery),
        body,
        headers: req.headers,
        requestId: newId("iar_"),
      };
      let out: unknown;
      try {
        out = await m.handler(r);
      } catch (err) {
        if (back && err instanceof ApiError) {
          send(res, 303, "", { location: withNotice(back, "error", err.message) });
          return;
        }
        throw err;
      }
      if (back) send(res, 303, "", { location: withNotice(back, "ok", `${method} ${path}`) });
      else if (out instanceof Reply) send(res, out.status, out.body, out.headers, api);
      else send(res, 200, out, {}, api);
    } catch (err) {
      if (err instanceof ApiError) {
        send(res, err.status, err.toBody());
      } else {
        console.error("[pingpp-sandbox] internal error:", err);
        send(res, 500, new ApiError(500, "api_error", "沙箱内部错误 (Sandbox internal error)").toBody());
      }
    }
  }

  const server = http.createServer((req, res) => void handle(req, res));
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 4010, opts.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = opts.host && !["0.0.0.0", "::"].includes(opts.host) ? opts.host : "127.0.0.1";
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${addr.port}`;
  if (!publicUrl) {
    const lan = opts.host && ["0.0.0.0", "::"].includes(opts.host) ? lanIPv4() : undefined;
    publicUrl = lan ? `http://${lan}:${addr.port}` : url;
  }
  publicUrl = publicUrl.replace(/\/+$/, "");

  webhooks.resume();
  engine.startJobs();
  store.flush();

  let closed = false;
  return {
    url,
    publicUrl,
    publicKeyPem: keys.publicKeyPem,
    publicKeyPath: keys.publicKeyPath,
    appId,
    apiKey,
    setWebhookUrl,
    async close() {
      if (closed) return;
      closed = true;
      engine.close();
      await webhooks.close();
      for (const t of holdTimers) clearTimeout(t);
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await done;
      store.flush();
    },
  };
}
