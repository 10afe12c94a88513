/**
 * A small RFC 4180 CSV reader (no CSV library is installed): commas, double-quoted fields with
 * "" escapes and embedded commas/newlines, CRLF or LF line ends, a leading UTF-8 BOM. Returns
 * the records with their 1-based starting line; blank lines are skipped. Bytes from a file go
 * through decodeCsvBytes first.
 */
export interface CsvRecord {
  line: number;
  fields: string[];
}

export class CsvError extends Error {
  constructor(readonly line: number) {
    super(`unterminated quoted field starting on line ${line}`);
  }
}

/** Why a file's bytes are not text we can read: each names how to save the file instead. */
export type CsvEncodingProblem = "csvUtf16" | "csvWorkbook" | "csvEncoding";

export class CsvEncodingError extends Error {
  constructor(readonly problem: CsvEncodingProblem) {
    super(problem);
  }
}

const decoder = (label: string) => new TextDecoder(label, { fatal: true, ignoreBOM: true });

/**
 * The text of a CSV file as Excel and other tools save it: UTF-8 with or without a BOM, else
 * GB18030 (a superset of GBK, what Excel writes as "CSV (逗号分隔)" on Chinese Windows). Both
 * decoders are strict, so bytes that are neither are refused rather than turned into "�".
 * Refused too: UTF-16 (Excel's "Unicode 文本", tab-separated), an Excel workbook (.xlsx/.xls),
 * anything with NUL bytes, and text that already carries U+FFFD (garbled before it was saved).
 */
export function decodeCsvBytes(bytes: Uint8Array): string {
  const b = bytes;
  if ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff)) throw new CsvEncodingError("csvUtf16");
  // ZIP (.xlsx) and OLE2 (.xls) signatures
  if (
    (b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04) ||
    (b[0] === 0xd0 && b[1] === 0xcf && b[2] === 0x11 && b[3] === 0xe0)
  ) {
    throw new CsvEncodingError("csvWorkbook");
  }
  if (b.includes(0)) {
    // UTF-16 without a BOM: every other byte of ASCII text is NUL.
    throw new CsvEncodingError(b.length > 1 && (b[0] === 0 || b[1] === 0) ? "csvUtf16" : "csvEncoding");
  }
  const bom = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
  let text: string | null = null;
  for (const label of bom ? ["utf-8"] : ["utf-8", "gb18030"]) {
    try {
      text = decoder(label).decode(bom ? b.subarray(3) : b);
      break;
    } catch {
      // not this encoding
    }
  }
  if (text === null || text.includes("\ufffd")) throw new CsvEncodingError("csvEncoding");
  return text;
}

export function parseCsv(text: string): CsvRecord[] {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const out: CsvRecord[] = [];
  let fields: string[] = [];
  let field = "";
  let line = 1;
  let start = 1;
  let quoted = false;
  let quoteLine = 0;
  const endRecord = () => {
    fields.push(field);
    if (fields.length > 1 || fields[0] !== "") out.push({ line: start, fields });
    fields = [];
    field = "";
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === "\n") line++;
        field += c;
      }
    } else if (c === '"' && field === "") {
      quoted = true;
      quoteLine = line;
    } else if (c === ",") {
      fields.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && s[i + 1] === "\n") i++;
      endRecord();
      start = ++line;
    } else field += c;
  }
  if (quoted) throw new CsvError(quoteLine);
  endRecord();
  return out;
}
