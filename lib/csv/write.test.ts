import { describe, expect, it } from "vitest";
import { csvField, csvResponse, pages, shanghaiTime, yuan } from "./write";

describe("CSV export helpers", () => {
  it("quotes what needs quoting and defuses spreadsheet formulas", () => {
    expect(csvField('他说"好",行')).toBe('"他说""好"",行"');
    expect(csvField("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvField("-1")).toBe("'-1");
    expect(csvField(-1)).toBe("-1"); // numbers are numbers
    expect(csvField(null)).toBe("");
  });

  it("writes yuan with two decimals and Shanghai times", () => {
    expect(yuan(123456)).toBe("1234.56");
    expect(yuan(5)).toBe("0.05");
    expect(yuan(-250)).toBe("-2.50");
    expect(shanghaiTime(new Date("2026-11-27T16:30:00Z"))).toBe("2026-11-28 00:30:00");
  });

  it("streams a BOM, the header and every page of rows in order", async () => {
    const data = Array.from({ length: 25 }, (_, i) => i);
    const fetchPage = async (cursor: string | undefined) => {
      const start = cursor ? Number(cursor) : 0;
      const rows = data.slice(start, start + 10);
      return { rows, nextCursor: start + 10 < data.length ? String(start + 10) : null };
    };
    const res = csvResponse("x.csv", ["n", "金额"], pages(fetchPage), (n) => [n, yuan(n * 100)]);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes).trimEnd().split("\r\n"); // the decoder drops the BOM
    expect(lines[0]).toBe("n,金额");
    expect(lines.slice(1)).toEqual(data.map((n) => `${n},${n}.00`));
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
  });
});
