import { describe, expect, it } from "vitest";
import { CsvEncodingError, CsvError, decodeCsvBytes, parseCsv } from "./read";

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

/** Bytes from hex pairs ("b9 a7") and ASCII text, in order. */
const bytes = (...parts: (string | number[])[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === "string" ? [...new TextEncoder().encode(p)] : p)));
// Known GB18030 (= GBK for these) sequences: 恭喜发财, 新年快乐, and a four-byte one, U+20000 𠀀.
const GBK_GONGXIFACAI = [0xb9, 0xa7, 0xcf, 0xb2, 0xb7, 0xa2, 0xb2, 0xc6];
const GBK_XINNIANKUAILE = [0xd0, 0xc2, 0xc4, 0xea, 0xbf, 0xec, 0xc0, 0xd6];
const GB18030_U20000 = [0x95, 0x32, 0x82, 0x36];
const problem = (b: Uint8Array) => {
  try {
    decodeCsvBytes(b);
  } catch (e) {
    if (e instanceof CsvEncodingError) return e.problem;
    throw e;
  }
  return null;
};

describe("decodeCsvBytes", () => {
  it("reads GBK/GB18030 as Excel saves it on Chinese Windows", () => {
    const file = bytes(
      "open_id,amount,wishing\r\noA,1.00,",
      GBK_GONGXIFACAI,
      '\r\noB,2.00,"',
      GBK_XINNIANKUAILE,
      ", ",
      GB18030_U20000,
      '"\r\n',
    );
    const text = decodeCsvBytes(file);
    expect(text).toBe('open_id,amount,wishing\r\noA,1.00,恭喜发财\r\noB,2.00,"新年快乐, 𠀀"\r\n');
    expect(parseCsv(text).map((r) => r.fields[2])).toEqual(["wishing", "恭喜发财", "新年快乐, 𠀀"]);
  });

  it("reads UTF-8 with and without a BOM (the BOM is dropped)", () => {
    expect(decodeCsvBytes(bytes([0xef, 0xbb, 0xbf], "oA,1,恭喜发财\n"))).toBe("oA,1,恭喜发财\n");
    expect(decodeCsvBytes(bytes("oA,1,恭喜发财\n"))).toBe("oA,1,恭喜发财\n");
    expect(decodeCsvBytes(bytes("oA,1,plain ascii"))).toBe("oA,1,plain ascii");
  });

  it("refuses bytes that are neither UTF-8 nor GB18030, and a UTF-8 BOM over GBK bytes", () => {
    expect(problem(bytes("oA,1,", [0xff], "\n"))).toBe("csvEncoding"); // 0xFF starts nothing in either
    expect(problem(bytes("oA,1,", [0x81, 0x7f]))).toBe("csvEncoding"); // 0x7F is no GB18030 trail byte
    expect(problem(bytes("oA,1,", [0xb9]))).toBe("csvEncoding"); // cut in the middle of a character
    expect(problem(bytes([0xef, 0xbb, 0xbf], "oA,1,", GBK_GONGXIFACAI))).toBe("csvEncoding");
  });

  it("refuses text garbled before it was saved (U+FFFD), NUL bytes, UTF-16 and Excel workbooks", () => {
    expect(problem(bytes("oA,1,\ufffd\ufffd"))).toBe("csvEncoding");
    expect(problem(bytes("oA,1,", [0], "x"))).toBe("csvEncoding");
    const utf16le = [0xff, 0xfe, ...[..."oA\t1"].flatMap((c) => [c.charCodeAt(0), 0])];
    expect(problem(Uint8Array.from(utf16le))).toBe("csvUtf16");
    expect(problem(Uint8Array.from([0xfe, 0xff, 0, 0x6f]))).toBe("csvUtf16");
    expect(problem(Uint8Array.from(utf16le.slice(2)))).toBe("csvUtf16"); // no BOM
    expect(problem(bytes([0x50, 0x4b, 0x03, 0x04], "[Content_Types].xml"))).toBe("csvWorkbook");
    expect(problem(bytes([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))).toBe("csvWorkbook");
  });
});
