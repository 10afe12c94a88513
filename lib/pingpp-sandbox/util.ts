// Small shared helpers: ids, errors, query-string parsing, validation.
import { randomBytes } from "node:crypto";
import type { z } from "zod";

// ---------- ids ----------

const ALNUM = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

export function randomAlnum(n: number): string {
  let out = "";
  while (out.length < n) {
    for (const b of randomBytes(n * 2)) {
      if (b < 248 && out.length < n) out += ALNUM[b % 62];
    }
  }
  return out;
}

export function randomDigits(n: number): string {
  const bytes = randomBytes(n);
  let out = "";
  for (let i = 0; i < n; i++) out += String((bytes[i] ?? 0) % 10);
  return out;
}

/** `ch_`, `re_`, `evt_`, `iar_`, `red_` + 24 alphanumerics. */
export const newId = (prefix: string) => prefix + randomAlnum(24);

function yymmdd(d = new Date()): string {
  return d.toISOString().slice(2, 10).replace(/-/g, "");
}
function hhmmss(d = new Date()): string {
  return d.toISOString().slice(11, 19).replace(/:/g, "");
}
/** Orders: 19-digit numeric string like `2001708140000017551`. */
export const newOrderId = () => "2001" + yymmdd().slice(1) + randomDigits(10);
/** Royalty objects: 18-digit numeric string like `170302171104000011`. */
export const newRoyaltyId = () => yymmdd() + hhmmss() + randomDigits(6);
export const newTransactionNo = () => "4002" + randomDigits(24);

export const nowSec = () => Math.floor(Date.now() / 1000);

// ---------- errors ----------

export type ErrorType = "invalid_request_error" | "api_error" | "channel_error";

/** An error answered with Ping++'s error body. `code`/`param` are omitted when absent, never null. */
export class ApiError extends Error {
  constructor(
    public status: number,
    public type: ErrorType,
    message: string,
    public code?: string,
    public param?: string,
  ) {
    super(message);
  }
  toBody(): { error: { type: string; message: string; code?: string; param?: string } } {
    const error: { type: string; message: string; code?: string; param?: string } = {
      type: this.type,
      message: this.message,
    };
    if (this.code !== undefined) error.code = this.code;
    if (this.param !== undefined) error.param = this.param;
    return { error };
  }
}

export const badRequest = (message: string, param?: string, code?: string) =>
  new ApiError(400, "invalid_request_error", message, code, param);
export const notFound = (what: string, id: string, param = "id") =>
  new ApiError(404, "invalid_request_error", `无法找到 ${what} 对象: ${id} (No such ${what}: ${id})`, undefined, param);
export const channelError = (message: string, code?: string) => new ApiError(402, "channel_error", message, code);

// ---------- query strings ----------

export type QueryValue = string | QueryValue[] | { [k: string]: QueryValue };
export type Query = Record<string, QueryValue>;

const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}

/**
 * Generic bracket parsing: `a=1`, `a[b]=1`, `a[]=1&a[]=2`, `a[0]=1`, repeated keys,
 * percent-encoded brackets (`app%5Bid%5D=x`). Lone `?`, empty pairs are ignored.
 */
export function parseQuery(raw: string): Query {
  const root: Record<string, QueryValue> = {};
  for (const pair of raw.split("&")) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    const key = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = decode(eq < 0 ? "" : pair.slice(eq + 1));
    const m = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
    const base = m?.[1] ?? key;
    const segs = m?.[2] ? [...m[2].matchAll(/\[([^[\]]*)\]/g)].map((x) => x[1] ?? "") : [];
    if (!base || FORBIDDEN.has(base) || segs.some((s) => FORBIDDEN.has(s))) continue;
    assign(root, [base, ...segs], value);
  }
  return root;
}

function assign(container: Record<string, QueryValue> | QueryValue[], path: string[], value: string): void {
  const [head, ...rest] = path as [string, ...string[]];
  const isArr = Array.isArray(container);
  const idx = isArr ? (head === "" || !/^\d+$/.test(head) ? container.length : Number(head)) : -1;
  const get = (): QueryValue | undefined => (isArr ? container[idx] : (container as Record<string, QueryValue>)[head]);
  const set = (v: QueryValue) => {
    if (isArr) container[idx] = v;
    else (container as Record<string, QueryValue>)[head] = v;
  };
  if (rest.length === 0) {
    const cur = get();
    if (cur === undefined) set(value);
    else if (Array.isArray(cur)) cur.push(value);
    else if (typeof cur === "string") set([cur, value]);
    // a scalar assigned over an object: ignore
    return;
  }
  const next = rest[0] as string;
  let child = get();
  const wantArr = next === "" || /^\d+$/.test(next);
  if (child === undefined || typeof child === "string") {
    child = wantArr ? [] : {};
    set(child);
  }
  assign(child, rest, value);
}

export function qString(q: Query, key: string): string | undefined {
  const v = q[key];
  if (typeof v === "string") return v;
  if (Array.isArray(v) && typeof v[0] === "string") return v[0];
  return undefined;
}

export function qInt(q: Query, key: string, def: number, min: number, max: number): number {
  const v = qString(q, key);
  if (v === undefined || v === "") return def;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw badRequest(
      `参数 ${key} 无效，应为 ${min} 到 ${max} 之间的整数 (Invalid ${key}: must be an integer between ${min} and ${max})`,
      key,
    );
  }
  return Number(v);
}

/** `true/false`, `1/0`; undefined when absent. */
export function qBool(q: Query, key: string): boolean | undefined {
  const v = qString(q, key);
  if (v === undefined || v === "") return undefined;
  if (v === "true" || v === "1") return true;
  if (v === "false" || v === "0") return false;
  throw badRequest(`参数 ${key} 无效，应为 true/false (Invalid ${key}: expected a boolean)`, key);
}

/** `created[gt|gte|lt|lte]=…` or `created=…`; returns a predicate on the `created` field. */
export function createdFilter(q: Query): (created: number) => boolean {
  const c = q.created;
  if (c === undefined) return () => true;
  const num = (v: QueryValue | undefined, param: string): number | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== "string" || !/^\d+$/.test(v)) throw badRequest(`参数 ${param} 无效 (Invalid ${param})`, param);
    return Number(v);
  };
  if (typeof c === "string" || Array.isArray(c)) {
    const eq = num(Array.isArray(c) ? c[0] : c, "created");
    return (x) => x === eq;
  }
  const gt = num(c.gt, "created[gt]");
  const gte = num(c.gte, "created[gte]");
  const lt = num(c.lt, "created[lt]");
  const lte = num(c.lte, "created[lte]");
  return (x) =>
    (gt === undefined || x > gt) &&
    (gte === undefined || x >= gte) &&
    (lt === undefined || x < lt) &&
    (lte === undefined || x <= lte);
}

// ---------- validation ----------

function formatParam(path: PropertyKey[]): string {
  const [first, ...rest] = path.map(String);
  return (first ?? "") + rest.map((p) => `[${p}]`).join("");
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const p of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

/** Parse with zod; the first issue becomes a 400 with `param` set to the bracketed path. */
export function validate<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  if (!issue) throw badRequest("参数错误 (Invalid parameters)");
  const param = formatParam(issue.path);
  if (!param) throw badRequest(`请求参数无效: ${issue.message} (Invalid request)`);
  if (valueAt(input, issue.path) === undefined && issue.code === "invalid_type") {
    throw badRequest(`缺少参数: ${param} (Missing required parameter: ${param})`, param);
  }
  const custom = issue.code === "custom" || !/^(Invalid|Too|Expected)/.test(issue.message);
  throw badRequest(custom ? issue.message : `参数 ${param} 无效: ${issue.message} (Invalid ${param})`, param);
}

export const byteLength = (s: string) => Buffer.byteLength(s, "utf8");

export function deepCopy<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}
