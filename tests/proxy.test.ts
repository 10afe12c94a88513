import { afterAll, beforeAll, describe, expect, it } from "vitest";
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createConsoleServer } from "@/lib/http/serve";
import { nextProxy } from "@/lib/http/proxy";
import { rawRequest } from "@/tests/helpers/http";

/**
 * The console's front hands every request that is not a hot route to Next.js (lib/http/proxy.ts).
 * Here "Next.js" is a server of the test's own that reports what reached it, so every property
 * Next.js relies on is checked: method, path and query, Host, the client's address, the body
 * byte for byte, and the answer (status, repeated Set-Cookie, a streamed body) coming back whole.
 */
let upstream: http.Server;
let front: http.Server;
let frontUrl: string;
let seen: { method: string; url: string; headers: http.IncomingHttpHeaders; bodySha: string; bodyLength: number } | undefined;

const listen = async (s: http.Server) => {
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return (s.address() as AddressInfo).port;
};
const close = (s: http.Server) => {
  s.closeAllConnections();
  return new Promise((r) => s.close(r));
};

beforeAll(async () => {
  upstream = http.createServer((req, res) => {
    const h = crypto.createHash("sha256");
    let n = 0;
    req.on("data", (c: Buffer) => (h.update(c), (n += c.length)));
    req.on("end", () => {
      seen = { method: req.method!, url: req.url!, headers: req.headers, bodySha: h.digest("hex"), bodyLength: n };
      if (req.url === "/redirect") {
        res.writeHead(303, { location: "/login", "set-cookie": ["a=1; HttpOnly", "b=2; Path=/"] });
        return void res.end();
      }
      if (req.url === "/stream") {
        res.writeHead(200, { "content-type": "text/plain" }); // chunked, as React streams a page
        let i = 0;
        const t = setInterval(() => {
          res.write(`chunk ${i}\n`);
          if (++i < 5) return;
          clearInterval(t);
          res.end();
        }, 10);
        return;
      }
      res.end("ok");
    });
  });
  const upstreamPort = await listen(upstream);
  front = createConsoleServer([], nextProxy(`http://127.0.0.1:${upstreamPort}`));
  frontUrl = `http://127.0.0.1:${await listen(front)}`;
});
afterAll(async () => {
  await close(front);
  await close(upstream);
});

const request = (method: string, path: string, headers: Record<string, string> = {}, body?: Buffer) => rawRequest(`${frontUrl}${path}`, { method, headers, body });

describe("the front hands other requests to Next.js", () => {
  it("passes method, path, query and Host as sent, and fills X-Forwarded-* from the socket only when the client sent none", async () => {
    const r = await request("GET", "/charges?status=paid&q=%E4%B8%AD", { host: "console.example.cn", cookie: "authjs.session-token=x" });
    expect(r).toMatchObject({ status: 200, text: "ok" });
    expect(seen).toMatchObject({ method: "GET", url: "/charges?status=paid&q=%E4%B8%AD" });
    expect(seen!.headers).toMatchObject({
      host: "console.example.cn",
      cookie: "authjs.session-token=x",
      "x-forwarded-for": "127.0.0.1",
      "x-forwarded-proto": "http",
      "x-forwarded-host": "console.example.cn",
    });

    // behind the merchant's own proxy: what it said is kept, not appended to (TRUSTED_PROXY_HOPS counts its hops only)
    await request("GET", "/", { "x-forwarded-for": "203.0.113.5", "x-forwarded-proto": "https", "x-forwarded-host": "pay.example.cn" });
    expect(seen!.headers).toMatchObject({ "x-forwarded-for": "203.0.113.5", "x-forwarded-proto": "https", "x-forwarded-host": "pay.example.cn" });
  });

  it("fills them for an `Expect: 100-continue` upload too, and says which port the client reached", async () => {
    const body = Buffer.from("a=1&b=2");
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${frontUrl}/upload`, { method: "POST", agent: false, headers: { expect: "100-continue", "content-length": body.length } }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode!));
      });
      req.on("continue", () => req.end(body));
      req.on("error", reject);
    });
    expect(status).toBe(200);
    expect(seen).toMatchObject({ method: "POST", url: "/upload", bodyLength: body.length });
    expect(seen!.headers).toMatchObject({ "x-forwarded-for": "127.0.0.1", "x-forwarded-proto": "http", "x-forwarded-port": new URL(frontUrl).port });
  });

  it("streams a request body through byte for byte (a server action, a CSV upload)", async () => {
    const body = crypto.randomBytes(3 * 1024 * 1024 + 17);
    const r = await request("POST", "/red-envelopes/batches", { "content-type": "application/octet-stream" }, body);
    expect(r.status).toBe(200);
    expect(seen).toMatchObject({ method: "POST", bodyLength: body.length, bodySha: crypto.createHash("sha256").update(body).digest("hex") });
  });

  it("returns Next.js's answer whole: status, Location, every Set-Cookie, a streamed body", async () => {
    const r = await request("GET", "/redirect");
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe("/login");
    expect(r.headers["set-cookie"]).toEqual(["a=1; HttpOnly", "b=2; Path=/"]);
    const s = await request("GET", "/stream");
    expect(s.text).toBe("chunk 0\nchunk 1\nchunk 2\nchunk 3\nchunk 4\n");
  });

  it("answers 503 with Retry-After, in Chinese first, while Next.js is not listening", async () => {
    const gone = http.createServer();
    const port = await listen(gone);
    await close(gone); // nothing listens on `port` now
    const orphan = createConsoleServer([], nextProxy(`http://127.0.0.1:${port}`));
    const orphanPort = await listen(orphan);
    const res = await rawRequest(`http://127.0.0.1:${orphanPort}/overview`);
    await close(orphan);
    expect(res.status).toBe(503);
    expect(res.headers["retry-after"]).toBe("1");
    expect(res.headers["x-frame-options"]).toBe("DENY");
    expect(res.text).toMatch(/^控制台正在启动/);
  });
});
