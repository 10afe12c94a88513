/**
 * Streamed CSV for exports (issue: exports). UTF-8 with a BOM so Excel opens Chinese text,
 * amounts in yuan with two decimals, times in Asia/Shanghai. Rows are pulled batch by batch
 * as the client reads, so memory stays flat whatever the size.
 */
export type Cell = string | number | boolean | null | undefined;

const BOM = "\uFEFF";

/** One CSV field: quoted when needed; a leading = + - @ is defused so a spreadsheet never runs it. */
export function csvField(v: Cell): string {
  if (v === null || v === undefined) return "";
  let s = String(v);
  if (typeof v === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvLine = (cells: Cell[]) => `${cells.map(csvField).join(",")}\r\n`;

/** 123456 → "1234.56" (no thousands separator: a number for spreadsheets). */
export function yuan(fen: number | null | undefined): string {
  if (fen === null || fen === undefined) return "";
  const neg = fen < 0;
  const abs = Math.abs(fen);
  return `${neg ? "-" : ""}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/** An instant as "2026-11-27 13:05:09" in Asia/Shanghai. */
export function shanghaiTime(d: Date | string | null | undefined): string {
  if (!d) return "";
  const t = typeof d === "string" ? Date.parse(d) : d.getTime();
  return new Date(t + 8 * 3_600_000).toISOString().slice(0, 19).replace("T", " ");
}

/** Walk a keyset-paged source to the end, one batch at a time. */
export async function* pages<T>(
  fetchPage: (cursor: string | undefined) => Promise<{ rows: T[]; nextCursor: string | null }>,
): AsyncGenerator<T[]> {
  let cursor: string | undefined;
  for (;;) {
    const { rows, nextCursor } = await fetchPage(cursor);
    if (rows.length) yield rows;
    if (!nextCursor) return;
    cursor = nextCursor;
  }
}

/** A streamed CSV download: header, then each batch of rows mapped to cells, pulled on demand. */
export function csvResponse<T>(
  filename: string,
  header: string[],
  batches: AsyncGenerator<T[]>,
  toCells: (row: T) => Cell[],
): Response {
  const encoder = new TextEncoder();
  let started = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(BOM + csvLine(header)));
        return;
      }
      try {
        const next = await batches.next();
        if (next.done) return controller.close();
        controller.enqueue(encoder.encode(next.value.map((r) => csvLine(toCells(r))).join("")));
      } catch (e) {
        console.error("[export] failed mid-stream", e);
        controller.error(e);
      }
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${filename}"; filename*=UTF-8''${encodeURIComponent(filename)}`,
      "cache-control": "no-store",
    },
  });
}
