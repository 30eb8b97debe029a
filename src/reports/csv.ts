/** CSV (RFC 4180) for report rows, shared by the CLI and the HTTP API. */

/** Quotes a field when it holds a comma, a quote or a line break. */
function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function csv(rows: readonly string[][]): string {
  return rows.map((r) => r.map(csvField).join(',')).join('\n');
}
