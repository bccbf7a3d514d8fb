/** Plain-text tables for terminal output: columns padded to their widest cell; numeric-looking cells right-aligned. */

const numeric = /^[-+]?[$]?[\d,]*\.?\d+( ?[%a-zA-Z]+)?( \(est\.\)| \(measured\)| \(table\))?$/;

/** Render rows under headers, two spaces between columns. */
export function renderTextTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const right = headers.map(
    (_, c) => rows.length > 0 && rows.every((r) => numeric.test(r[c] ?? '') || (r[c] ?? '') === '—'),
  );
  const line = (cells: string[]): string =>
    cells
      .map((s, c) => (right[c] ? s.padStart(widths[c]) : s.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
