/** Test helper: read the fixture copies in lib/pingpp/fixtures (never ../shared). */
import { readFileSync, readdirSync } from "node:fs";

const FIXTURES = new URL("./fixtures/", import.meta.url);

export function fixtureBytes(name: string): Buffer {
  return readFileSync(new URL(name, FIXTURES));
}

export function fixtureText(name: string): string {
  return fixtureBytes(name).toString("utf8");
}

export function fixtureJson(name: string): unknown {
  return JSON.parse(fixtureText(name));
}

export const SEED_SAMPLES: readonly string[] = readdirSync(new URL("seed-samples/", FIXTURES))
  .filter((f) => f.endsWith(".json"))
  .sort();

export function seedSample(name: string): Record<string, unknown> {
  const json = fixtureJson(`seed-samples/${name}`);
  if (!json || typeof json !== "object" || Array.isArray(json)) throw new Error(`${name}: not an object`);
  return json as Record<string, unknown>;
}

export interface WebhookFixture {
  body: string;
  sig: string;
  pubkey: string;
  event: string;
  type: string;
  livemode: boolean;
}

export const WEBHOOKS = fixtureJson("webhooks.manifest.json") as WebhookFixture[];
