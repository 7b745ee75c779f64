import { ChatError } from "@chatroom/core";

const INT32 = /^[+-]?\d{1,10}$/;
const decoder = new TextDecoder("utf-8", { fatal: true });

/** A goim body as text: bad_request when it is not UTF-8 (goim reads it as a Go string). */
export function goimText(body: Uint8Array, what: string): string {
  try {
    return decoder.decode(body);
  } catch {
    throw new ChatError("bad_request", `the ${what} body must be UTF-8 text`);
  }
}

/** True for an integer in goim's int32 operation range. */
export function isInt32(value: number): boolean {
  return Number.isInteger(value) && value >= -(2 ** 31) && value <= 2 ** 31 - 1;
}

/**
 * goim's OP_SUB / OP_UNSUB body, "1000,1001" (goim's SplitInt32s: no spaces, each a base-10 int32; empty: none).
 * Anything else is bad_request and changes nothing: goim ignores a bad list silently, which hides client bugs.
 */
export function parseGoimOps(text: string): number[] {
  if (text === "") return [];
  const ops = text.split(",").map((item) => (INT32.test(item) ? Number(item) : Number.NaN));
  if (!ops.every(isInt32)) {
    throw new ChatError("bad_request", "the body must be comma-separated int32 operations, e.g. 1000,1001");
  }
  return [...new Set(ops)];
}
