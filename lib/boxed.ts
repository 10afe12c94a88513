/** Lines drawn in a box for the terminal, so a one-time secret stands out from the log around it. */
export function boxed(lines: string[]): string {
  const width = Math.max(...lines.map((l) => displayWidth(l)));
  const pad = (l: string) => l + " ".repeat(width - displayWidth(l));
  return [`┏${"━".repeat(width + 4)}┓`, ...lines.map((l) => `┃  ${pad(l)}  ┃`), `┗${"━".repeat(width + 4)}┛`].join(
    "\n",
  );
}

/** Columns a line takes (CJK characters take two). */
function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s)
    w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch)
      ? 2
      : 1;
  return w;
}
