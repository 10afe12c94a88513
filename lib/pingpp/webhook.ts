import { PingppResponseError, describeIssues, summarizeIssues } from "./errors";
import { eventSchema, type PingppEvent } from "./schemas";

/**
 * Parse a webhook body (or an events API response) into a typed event.
 * Throws PingppResponseError (status 0, raw body kept) on bad JSON or a bad shape.
 * Verify the signature first, over the same raw bytes.
 */
export function parseEvent(rawBody: string | Uint8Array): PingppEvent {
  const text = typeof rawBody === "string" ? rawBody : new TextDecoder("utf-8", { fatal: false }).decode(rawBody);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PingppResponseError("event body is not valid JSON", { status: 0, rawBody: text });
  }
  return parseEventJson(json, text);
}

/**
 * Validate an already parsed webhook body (the JSON value) as a typed event: as parseEvent,
 * without decoding and parsing the bytes again. Throws PingppResponseError on a bad shape.
 */
export function parseEventJson(json: unknown, rawBody = ""): PingppEvent {
  const parsed = eventSchema.safeParse(json);
  if (!parsed.success) {
    const issues = summarizeIssues(parsed.error.issues);
    throw new PingppResponseError(`event does not match the schema: ${describeIssues(issues)}`, {
      status: 0,
      rawBody,
      issues,
    });
  }
  return parsed.data;
}
