/**
 * The console's front in production (`npm start`, scripts/bootstrap.ts): Next.js answers every
 * request (proxied to it, lib/http/proxy.ts) except the few hot routes listed by the caller
 * (Ping++'s webhooks, the cashier screens' status poll), whose route handlers the front calls
 * itself with a standard Request. Those arrive hundreds of times a second, and Next.js's request
 * handling costs more CPU than the routes' own work (bench/README.md); the front runs them in a
 * process without it. The handlers are the very ones in app/ (Next.js serves them in `npm run
 * dev`); they read everything from the Request. Proxy (proxy.ts) never runs for /api/, so the
 * only thing Next.js would add is the header list of next.config.ts, added here from the same module.
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import { API_HEADERS, SECURITY_HEADERS } from "./headers";

export interface HotRoute {
  method: "GET" | "POST";
  /** Matched against the whole path (no query); named groups become the handler's params. */
  path: RegExp;
  /** Bodies over this are answered 413 before the handler runs (read, never held in memory). */
  maxBodyBytes?: number;
  handler: (req: Request, params: Record<string, string>) => Promise<Response>;
}

type Fallback = (req: IncomingMessage, res: ServerResponse) => unknown;

const HEADERS = [...SECURITY_HEADERS, ...API_HEADERS];

/** An http.Server that answers `routes` itself and hands everything else to `fallback` (Next.js). */
export function createConsoleServer(routes: readonly HotRoute[], fallback: Fallback): http.Server {
  return http.createServer((req, res) => {
    const hit = match(routes, req);
    if (!hit) return void fallback(req, res);
    serveHot(hit.route, hit.params, req, res).catch((e: unknown) => {
      console.error("[serve] route failed", e);
      if (!res.headersSent) send(res, 500, "internal error");
      else res.destroy();
    });
  });
}

function match(routes: readonly HotRoute[], req: IncomingMessage) {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const path = q < 0 ? url : url.slice(0, q);
  for (const route of routes) {
    if (route.method !== req.method) continue;
    const m = route.path.exec(path);
    if (m) return { route, params: { ...m.groups } as Record<string, string> };
  }
  return null;
}

async function serveHot(route: HotRoute, params: Record<string, string>, req: IncomingMessage, res: ServerResponse) {
  let body: Buffer | undefined;
  if (req.method !== "GET" && req.method !== "HEAD") {
    const read = await readBody(req, route.maxBodyBytes ?? Infinity);
    if (read === "too_large") return send(res, 413, "payload too large", true);
    if (read === "aborted") return;
    body = read;
  }
  const answer = await route.handler(toRequest(req, body), params);
  res.statusCode = answer.status;
  for (const { key, value } of HEADERS) res.setHeader(key, value);
  answer.headers.forEach((value, key) => key !== "set-cookie" && res.setHeader(key, value));
  const cookies = answer.headers.getSetCookie();
  if (cookies.length) res.setHeader("set-cookie", cookies);
  res.end(answer.body ? Buffer.from(await answer.arrayBuffer()) : undefined);
}

/** The whole body, or "too_large" once it passes `max` (the rest is read and dropped, so the connection stays usable). */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | "too_large" | "aborted"> {
  const declared = Number(req.headers["content-length"]);
  if (declared > max) {
    req.resume();
    return Promise.resolve("too_large");
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= max) chunks.push(c);
      else chunks.length = 0;
    });
    req.on("end", () => resolve(size > max ? "too_large" : Buffer.concat(chunks, size)));
    req.on("error", () => resolve("aborted"));
    req.on("aborted", () => resolve("aborted"));
  });
}

/**
 * A standard Request for the handler. Like Next.js, a request that arrives without
 * X-Forwarded-For / -Proto gets the socket's address and scheme (lib/auth/ip.ts reads them).
 */
function toRequest(req: IncomingMessage, body: Buffer | undefined): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    try {
      headers.append(raw[i]!, raw[i + 1]!);
    } catch {
      /* a header value fetch() cannot hold (Node's parser is more lenient): dropped, as Next.js would fail it */
    }
  }
  if (!headers.has("x-forwarded-for") && req.socket.remoteAddress) headers.set("x-forwarded-for", req.socket.remoteAddress);
  if (!headers.has("x-forwarded-proto")) headers.set("x-forwarded-proto", "encrypted" in req.socket && req.socket.encrypted ? "https" : "http");
  return new Request(new URL(req.url ?? "/", "http://localhost"), { method: req.method, headers, body: body as Uint8Array<ArrayBuffer> | undefined }); // Buffer.concat: never a SharedArrayBuffer
}

function send(res: ServerResponse, status: number, text: string, close = false) {
  res.statusCode = status;
  for (const { key, value } of HEADERS) res.setHeader(key, value);
  res.setHeader("content-type", "text/plain; charset=utf-8");
  if (close) res.setHeader("connection", "close");
  res.end(text);
}
