/** Plain-text tables for the terminal and the README, and the figures' formatting. */

export type Row = readonly string[];

/** A Markdown table whose columns line up in a terminal too; numbers (and "-") align right. */
export function renderTable(headers: Row, rows: readonly Row[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const numeric = headers.map((_, i) => rows.every((r) => /^[-\d.,<>≤ %smsKBMB/]*$/.test(r[i] ?? "")));
  const cell = (text: string, i: number) =>
    numeric[i] ? text.padStart(widths[i] ?? 0) : text.padEnd(widths[i] ?? 0);
  const line = (cells: Row) => `| ${cells.map((c, i) => cell(c, i)).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (numeric[i] ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  return [line(headers), rule, ...rows.map(line)].join("\n");
}

export function seconds(ms: number, digits = 1): string {
  return `${(ms / 1000).toFixed(digits)} s`;
}

export function fixed(value: number, digits = 1): string {
  return value.toFixed(digits);
}

export interface Spread {
  mean: number;
  max: number;
}

export function spread(values: readonly number[]): Spread {
  const total = values.reduce((sum, v) => sum + v, 0);
  return { mean: values.length ? total / values.length : 0, max: Math.max(...values) };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export function verdict(pass: boolean): string {
  return pass ? "PASS" : "FAIL";
}
