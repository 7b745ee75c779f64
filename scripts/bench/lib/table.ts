export type Cell = string | number;

export interface Table {
  caption?: string;
  headers: string[];
  rows: Cell[][];
}

/** Numbers for tables: integers with thousands separators, others with up to `digits` decimals. */
export function fmt(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return "–";
  if (Number.isInteger(value)) return value.toLocaleString("en-US");
  return value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** A ratio `a / b` as "3.2×" (– when b is 0). */
export function ratio(a: number, b: number): string {
  if (!(b > 0)) return "–";
  const r = a / b;
  return `${r >= 10 ? r.toFixed(0) : r.toFixed(2)}×`;
}

/** A Markdown pipe table, padded so it also reads well in a terminal. */
export function formatTable(table: Table): string {
  const cells = [table.headers, ...table.rows.map((row) => row.map((c) => (typeof c === "number" ? fmt(c) : c)))];
  const widths = table.headers.map((_, col) => Math.max(3, ...cells.map((row) => (row[col] ?? "").length)));
  const line = (row: string[]) => `| ${widths.map((w, i) => (row[i] ?? "").padEnd(w)).join(" | ")} |`;
  const [head, ...body] = cells;
  const out = [line(head as string[]), `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`, ...body.map(line)];
  return (table.caption ? `${table.caption}\n\n` : "") + out.join("\n");
}
