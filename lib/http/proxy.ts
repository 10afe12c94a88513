/**
 * Hands a request to the Next.js server behind the console's front (scripts/bootstrap.ts),
 * through http-proxy-3 (a maintained rewrite of node-http-proxy: streaming both ways, hop-by-hop
 * headers, aborts). Next.js sees the request as if it had arrived itself: the Host header as
 * sent, and the X-Forwarded-* headers the front filled in (lib/http/serve.ts) passed on as they are.
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import { createProxyServer } from "http-proxy-3";
import { sendText } from "./serve";

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
    if (!("setHeader" in res) || res.headersSent) return void res.destroy();
    sendText(res, 503, "控制台正在启动，请稍后重试 / the console is starting, try again shortly", { "retry-after": "1" });
  });
  return (req, res) => proxy.web(req, res);
}
