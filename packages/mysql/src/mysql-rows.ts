import type { Row } from "./mysql-database.ts";

/** An integer column: a number, or (BIGINT beyond 2^53, never expected) a numeric string that is refused. */
export function intColumn(row: Row, column: string): number {
  const value = row[column];
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "bigint" && value <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(value);
  if (typeof value === "string" && /^-?\d+$/.test(value)) {
    const parsed = Number(value);
    if (Number.isSafeInteger(parsed)) return parsed;
  }
  throw new TypeError(`column ${column} is not a safe integer`);
}

export function nullableIntColumn(row: Row, column: string): number | null {
  return row[column] === null ? null : intColumn(row, column);
}

export function textColumn(row: Row, column: string): string {
  const value = row[column];
  if (typeof value === "string") return value;
  throw new TypeError(`column ${column} is not text`);
}

/** LIMIT operand: a whole number ≥ 0 (the SQLite stores accept any number the same way). */
export function limitOf(limit: number): number {
  return Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : 0;
}
