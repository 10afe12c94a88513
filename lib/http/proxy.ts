/**
 * Hands a request to the Next.js server behind the console's front (scripts/bootstrap.ts),
 * through http-proxy-3 (a maintained rewrite of node-http-proxy: streaming both ways, hop-by-hop
 * headers, aborts). Next.js sees the request as if it had arrived itself: the Host header as
 * sent, and X-Forwarded-For / -Proto / -Host filled from this socket only when the client's
 * request had none (exactly what Next.js does on its own; appending would add a hop that
 * TRUSTED_PROXY_HOPS does not count, lib/auth/ip.ts).
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { createProxyServer } from "http-proxy-3";
import { API_HEADERS, SECURITY_HEADERS } from "./headers";

export function nextProxy(target: string): (req: IncomingMessage, res: ServerResponse) => void {
  const proxy = createProxyServer({
    target,
    // Reused connections to Next.js. An idle one is closed here after 60 s, before Next.js would
    // close it (bootstrap starts it with a 70 s keep-alive): never reused just as it is torn down.
    agent: new http.Agent({ keepAlive: true, maxSockets: Infinity, timeout: 60_000 }),
    ws: false,
  });
  proxy.on("error", (err, req, res) => {
    // Next.js not (yet, or no longer) listening, or it dropped the connection.
    console.error(`[proxy] ${req.method} ${req.url}: ${(err as NodeJS.ErrnoException).code ?? err.message}`);
    if (!("setHeader" in res)) return void res.destroy();
    if (res.headersSent) return void res.destroy();
    res.statusCode = 503;
    for (const { key, value } of [...SECURITY_HEADERS, ...API_HEADERS]) res.setHeader(key, value);
    res.setHeader("content-type", "text/plain; charset=utf-8");
    res.setHeader("retry-after", "1");
    res.end("控制台正在启动，请稍后重试 / the console is starting, try again shortly");
  });
  return (req, res) => {
    // On the incoming request itself (not in a proxyReq hook, which http-proxy-3 skips for
    // `Expect: 100-continue`), and only where the client said nothing.
    const socket = req.socket as Socket & { encrypted?: boolean };
    const h = req.headers;
    if (!h["x-forwarded-for"] && socket.remoteAddress) h["x-forwarded-for"] = socket.remoteAddress;
    h["x-forwarded-proto"] ??= socket.encrypted ? "https" : "http";
    if (!h["x-forwarded-host"] && h.host) h["x-forwarded-host"] = h.host;
    if (!h["x-forwarded-port"] && socket.localPort) h["x-forwarded-port"] = String(socket.localPort);
    proxy.web(req, res);
  };
}
