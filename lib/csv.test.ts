import { describe, expect, it } from "vitest";
import { CsvError, parseCsv } from "./csv";

describe("parseCsv", () => {
  it("reads plain records with their line numbers, skipping blank lines and a BOM", () => {
    expect(parseCsv("\ufeffa,b\r\n\r\nc,d\ne,")).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 3, fields: ["c", "d"] },
      { line: 4, fields: ["e", ""] },
    ]);
  });

  it("handles quoted fields with commas, escaped quotes and newlines", () => {
    expect(parseCsv('o1,1.00,"恭喜, ""发财"""\no2,2,"两\n行"\no3,3')).toEqual([
      { line: 1, fields: ["o1", "1.00", '恭喜, "发财"'] },
      { line: 2, fields: ["o2", "2", "两\n行"] },
      { line: 4, fields: ["o3", "3"] },
    ]);
  });

  it("keeps a quote inside an unquoted field as text and ends without a trailing newline", () => {
    expect(parseCsv('a"b,c\n')).toEqual([{ line: 1, fields: ['a"b', "c"] }]);
    expect(parseCsv("")).toEqual([]);
  });

  it("refuses an unterminated quote, naming its line", () => {
    expect(() => parseCsv('a,b\nc,"open')).toThrow(CsvError);
    try {
      parseCsv('a,b\nc,"open');
    } catch (e) {
      expect((e as CsvError).line).toBe(2);
    }
  });
});
