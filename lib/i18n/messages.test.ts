import { describe, expect, it } from "vitest";
import { CATALOGUES } from "./request";
import fs from "node:fs";
import path from "node:path";

const dir = path.join(import.meta.dirname, "messages");

function keys(o: unknown, prefix = ""): string[] {
  if (!o || typeof o !== "object") return [prefix];
  return Object.entries(o).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

describe("message catalogues", () => {
  it.each(CATALOGUES)("%s has the same keys in zh-CN and en, and no empty text", (name) => {
    const zh = JSON.parse(fs.readFileSync(path.join(dir, "zh-CN", `${name}.json`), "utf8"));
    const en = JSON.parse(fs.readFileSync(path.join(dir, "en", `${name}.json`), "utf8"));
    expect(keys(en).sort()).toEqual(keys(zh).sort());
    const at = (o: unknown, k: string) => k.split(".").reduce<unknown>((v, p) => (v as Record<string, unknown>)[p], o);
    for (const k of keys(zh)) expect(at(zh, k)).not.toBe("");
  });

  it("every catalogue file on disk is loaded", () => {
    const files = fs.readdirSync(path.join(dir, "zh-CN")).map((f) => f.replace(/\.json$/, ""));
    expect([...CATALOGUES].sort()).toEqual(files.sort());
  });
});
