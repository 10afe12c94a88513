// One small router for both the Ping++ API (/v1) and the simulation controls (/_sim).
import type { IncomingHttpHeaders } from "node:http";
import type { Query } from "./util";

export interface Req {
  method: string;
  path: string;
  params: Record<string, string>;
  query: Query;
  body: Record<string, unknown>;
  headers: IncomingHttpHeaders;
  /** `iar_…` id of this API request (goes into events' `request`) */
  requestId: string;
}

/** A non-JSON (or non-200) answer. Plain return values are sent as 200 JSON. */
export class Reply {
  constructor(
    public status: number,
    public body: unknown,
    public headers: Record<string, string> = {},
  ) {}
  static html(html: string, status = 200) {
    return new Reply(status, html, { "content-type": "text/html; charset=utf-8" });
  }
  static redirect(location: string) {
    return new Reply(303, "", { location });
  }
}

export type Handler = (req: Req) => unknown;

interface Route {
  method: string;
  segments: string[];
  handler: Handler;
}

export class Router {
  private routes: Route[] = [];

  on(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method, segments: pattern.split("/").filter(Boolean), handler });
    return this;
  }
  get(p: string, h: Handler) {
    return this.on("GET", p, h);
  }
  post(p: string, h: Handler) {
    return this.on("POST", p, h);
  }
  put(p: string, h: Handler) {
    return this.on("PUT", p, h);
  }

  /** `null` = no such path; `"method"` = path exists with another method. */
  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | "method" | null {
    const parts = path.split("/").filter(Boolean);
    let pathMatched = false;
    for (const r of this.routes) {
      if (r.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      const ok = r.segments.every((seg, i) => {
        const part = parts[i] ?? "";
        if (seg.startsWith(":")) {
          try {
            params[seg.slice(1)] = decodeURIComponent(part);
          } catch {
            params[seg.slice(1)] = part;
          }
          return true;
        }
        return seg === part;
      });
      if (!ok) continue;
      pathMatched = true;
      if (r.method === method) return { handler: r.handler, params };
    }
    return pathMatched ? "method" : null;
  }
}
