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
import type { Socket } from "node:net";
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
    fillForwardedHeaders(req);
    const hit = match(routes, req);
    if (!hit) return void fallback(req, res);
    serveHot(hit.route, hit.params, req, res).catch((e: unknown) => {
      console.error("[serve] route failed", e);
      if (!res.headersSent) sendText(res, 500, "internal error");
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
    if (read === "too_large") return sendText(res, 413, "payload too large", { connection: "close" });
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
 * Like Next.js facing the network itself: X-Forwarded-For / -Proto / -Host / -Port from this
 * socket, only where the client (or the merchant's own proxy) said nothing; appending would add a
 * hop TRUSTED_PROXY_HOPS does not count (lib/auth/ip.ts). Done once here, on the incoming request,
 * for both the hot routes and Next.js behind the front (lib/http/proxy.ts passes them on).
 */
function fillForwardedHeaders(req: IncomingMessage): void {
  const socket = req.socket as Socket & { encrypted?: boolean };
  const h = req.headers;
  if (!h["x-forwarded-for"] && socket.remoteAddress) h["x-forwarded-for"] = socket.remoteAddress;
  h["x-forwarded-proto"] ??= socket.encrypted ? "https" : "http";
  if (!h["x-forwarded-host"] && h.host) h["x-forwarded-host"] = h.host;
  if (!h["x-forwarded-port"] && socket.localPort) h["x-forwarded-port"] = String(socket.localPort);
}

/** A standard Request for the handler, with the request's headers (forwarded ones filled in). */
function toRequest(req: IncomingMessage, body: Buffer | undefined): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    try {
      for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
    } catch {
      /* a header value fetch() cannot hold (Node's parser is more lenient): dropped, as Next.js would fail it */
    }
  }
  return new Request(new URL(req.url ?? "/", "http://localhost"), { method: req.method, headers, body: body as Uint8Array<ArrayBuffer> | undefined }); // Buffer.concat: never a SharedArrayBuffer
}

/** A plain-text answer of the front's own (413, 500, the proxy's 503), with the console's security headers. */
export function sendText(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  res.statusCode = status;
  for (const { key, value } of HEADERS) res.setHeader(key, value);
  res.setHeader("content-type", "text/plain; charset=utf-8");
  for (const [key, value] of Object.entries(extra)) res.setHeader(key, value);
  res.end(text);
}
