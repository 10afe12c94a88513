/**
 * The one request core every resource goes through: URL and query encoding,
 * auth, request signing, timeout, error mapping, response validation, and the
 * retry policy (GET only, once; never POST/PUT, money must not move twice).
 */
import type { z } from "zod";
import { PingppConnectionError, PingppError, PingppResponseError, describeIssues, summarizeIssues } from "./errors";
import { errorBodySchema } from "./schemas";
import { signRequest } from "./signing";

export const DEFAULT_API_BASE = "https://api.pingxx.com";
export const DEFAULT_TIMEOUT_MS = 30_000;

export interface TransportOptions {
  apiKey: string;
  /** origin (optionally with a path prefix), without `/v1`; default https://api.pingxx.com */
  apiBase?: string;
  /** merchant RSA private key; when set every request is signed */
  privateKeyPem?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** clock in ms (for the signing timestamp) */
  now?: () => number;
}

export type HttpMethod = "GET" | "POST" | "PUT";

export interface RequestSpec<S extends z.ZodType> {
  method: HttpMethod;
  /** path below `/v1`, already percent-encoded, e.g. `/charges/ch_x` */
  path: string;
  /** GET only: encoded into the query string */
  query?: Record<string, unknown>;
  /** POST/PUT only: serialised once to JSON; those bytes are both signed and sent */
  body?: unknown;
  schema: S;
}

export type Request = <S extends z.ZodType>(spec: RequestSpec<S>) => Promise<z.output<S>>;

/**
 * Ping++'s bracket style: `app[id]=x`, `created[gte]=1`, arrays `k[]=v`,
 * booleans `true`/`false`, null/undefined dropped. Keys and values are
 * percent-encoded (brackets become %5B/%5D, as the Node SDK sends them).
 */
export function encodeQuery(params: Record<string, unknown>): string {
  const parts: string[] = [];
  const add = (key: string, value: unknown): void => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) {
      for (const v of value) add(`${key}[]`, v);
    } else if (typeof value === "object") {
      for (const [k, v] of Object.entries(value)) add(`${key}[${k}]`, v);
    } else {
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
    }
  };
  for (const [k, v] of Object.entries(params)) add(k, v);
  return parts.join("&");
}

/** Errors that mean the request never left this machine. */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH"]);

function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === "object" && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function splitBase(apiBase: string): { origin: string; prefix: string } {
  const url = new URL(apiBase);
  const prefix = url.pathname.replace(/\/+$/, "").replace(/\/v1$/, "");
  return { origin: url.origin, prefix };
}

export function createTransport(opts: TransportOptions): Request {
  if (!opts.apiKey) throw new TypeError("Ping++ apiKey is required");
  const { origin, prefix } = splitBase(opts.apiBase ?? DEFAULT_API_BASE);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const fetchImpl = opts.fetch ?? globalThis.fetch;
  const now = opts.now ?? Date.now;

  async function send(method: HttpMethod, requestUri: string, body: string) {
    const headers: Record<string, string> = {
      Accept: "application/json",
      "Accept-Language": "zh-CN",
      Authorization: `Bearer ${opts.apiKey}`,
      "User-Agent": "Pingpp/v1 PingppConsoleTS/1",
    };
    if (method !== "GET") headers["Content-Type"] = "application/json; charset=utf-8";
    if (opts.privateKeyPem) {
      const timestamp = String(Math.floor(now() / 1000));
      headers["Pingplusplus-Request-Timestamp"] = timestamp;
      headers["Pingplusplus-Signature"] = signRequest({ body, requestUri, timestamp }, opts.privateKeyPem);
    }

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const res = await fetchImpl(origin + requestUri, {
        method,
        headers,
        body: method === "GET" ? undefined : body,
        signal: controller.signal,
        redirect: "manual",
      });
      return { status: res.status, text: await res.text() };
    } catch (err) {
      const timedOut = controller.signal.aborted;
      const code = errorCode(err);
      throw new PingppConnectionError(
        timedOut ? `Ping++ did not answer within ${timeoutMs} ms` : `could not reach Ping++${code ? ` (${code})` : ""}`,
        { mayHaveReachedPingpp: timedOut || !code || !NOT_SENT_CODES.has(code), timedOut, cause: err },
      );
    } finally {
      clearTimeout(timer);
    }
  }

  function interpret<S extends z.ZodType>(status: number, text: string, schema: S): z.output<S> {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new PingppConnectionError(`Ping++ answered HTTP ${status} with a non-JSON body`, {
        mayHaveReachedPingpp: true,
        status,
        rawBody: text,
      });
    }
    // Like the official SDKs: a top-level `error` key means failure, whatever the status.
    if (json !== null && typeof json === "object" && "error" in json) {
      const parsed = errorBodySchema.safeParse(json);
      if (parsed.success) {
        const { type, message, code, param } = parsed.data.error;
        throw new PingppError({ status, type, message, code, param, rawBody: text });
      }
      throw new PingppResponseError(`HTTP ${status}: malformed error body`, {
        status,
        rawBody: text,
        issues: summarizeIssues(parsed.error.issues),
      });
    }
    if (status < 200 || status >= 300) {
      throw new PingppResponseError(`HTTP ${status} without an error body`, { status, rawBody: text });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issues = summarizeIssues(parsed.error.issues);
      throw new PingppResponseError(`unexpected Ping++ response: ${describeIssues(issues)}`, {
        status,
        rawBody: text,
        issues,
      });
    }
    return parsed.data;
  }

  return async function request<S extends z.ZodType>(spec: RequestSpec<S>): Promise<z.output<S>> {
    const qs = spec.query ? encodeQuery(spec.query) : "";
    const requestUri = `${prefix}/v1${spec.path}${qs ? `?${qs}` : ""}`;
    const body = spec.method === "GET" ? "" : JSON.stringify(spec.body ?? {});
    const attempts = spec.method === "GET" ? 2 : 1;

    for (let attempt = 1; ; attempt++) {
      const retry = attempt < attempts;
      let res: { status: number; text: string };
      try {
        res = await send(spec.method, requestUri, body);
      } catch (err) {
        if (retry) continue;
        throw err;
      }
      if (res.status === 502 && retry) continue;
      return interpret(res.status, res.text, spec.schema);
    }
  };
}
