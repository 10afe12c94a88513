/** Typed errors of the Ping++ client. Every one carries enough to decide what to tell the user. */

export interface PingppErrorInit {
  status: number;
  type: string;
  message: string;
  code?: string;
  param?: string;
  rawBody: string;
}

/** Ping++ answered with `{"error":{...}}` (any HTTP status). Nothing to retry blindly. */
export class PingppError extends Error {
  override readonly name = "PingppError";
  readonly status: number;
  /** `invalid_request_error` | `api_error` | `channel_error` | ... */
  readonly type: string;
  readonly code?: string;
  readonly param?: string;
  readonly rawBody: string;

  constructor(init: PingppErrorInit) {
    super(init.message);
    this.status = init.status;
    this.type = init.type;
    this.code = init.code;
    this.param = init.param;
    this.rawBody = init.rawBody;
  }
}

/**
 * No usable answer: network failure, timeout, or a non-JSON response (an HTML
 * 502 from a gateway). `mayHaveReachedPingpp` is true unless the request
 * certainly never left (connection refused, DNS failure): when true, the
 * operation may have happened and a blind retry could move money twice.
 */
export class PingppConnectionError extends Error {
  override readonly name = "PingppConnectionError";
  readonly mayHaveReachedPingpp: boolean;
  readonly timedOut: boolean;
  /** HTTP status when a (non-JSON) response came back */
  readonly status?: number;
  readonly rawBody?: string;

  constructor(
    message: string,
    init: { mayHaveReachedPingpp: boolean; timedOut?: boolean; status?: number; rawBody?: string; cause?: unknown },
  ) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.mayHaveReachedPingpp = init.mayHaveReachedPingpp;
    this.timedOut = init.timedOut ?? false;
    this.status = init.status;
    this.rawBody = init.rawBody;
  }
}

export interface IssueSummary {
  /** dotted path, e.g. `extra.goods_list[0].goods_name`; "" for the root */
  path: string;
  message: string;
}

/** A JSON response that does not match the expected object schema. The raw body is kept. */
export class PingppResponseError extends Error {
  override readonly name = "PingppResponseError";
  readonly status: number;
  readonly rawBody: string;
  readonly issues: IssueSummary[];

  constructor(message: string, init: { status: number; rawBody: string; issues?: IssueSummary[] }) {
    super(message);
    this.status = init.status;
    this.rawBody = init.rawBody;
    this.issues = init.issues ?? [];
  }
}

/** Input refused before any request left. `path` is the first offending field. */
export class PingppValidationError extends Error {
  override readonly name = "PingppValidationError";
  readonly path: string;
  readonly issues: IssueSummary[];

  constructor(issues: IssueSummary[]) {
    const first = issues[0] ?? { path: "", message: "invalid input" };
    super(first.path ? `${first.path}: ${first.message}` : first.message);
    this.path = first.path;
    this.issues = issues;
  }
}

/** `["extra","goods_list",0,"goods_name"]` → `extra.goods_list[0].goods_name` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

export function summarizeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): IssueSummary[] {
  return issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
}

/** First few issues as one line, for error messages. */
export function describeIssues(issues: readonly IssueSummary[]): string {
  return issues
    .slice(0, 3)
    .map((i) => `${i.path || "(root)"}: ${i.message}`)
    .join("; ");
}
