import { CloseCode } from "../close-codes.ts";

const REASONS = new Map<number, string>([
  ...Object.entries(CloseCode).map(([name, code]) => [code, name.toLowerCase()] as [number, string]),
  [1001, "going_away"],
  [1005, "no_status"],
  [1006, "abnormal"],
]);

/** The `reason` label of a WebSocket close: the close code's name ("slow_consumer", "heartbeat_timeout", …). */
export function closeReasonLabel(code: number): string {
  return REASONS.get(code) ?? "other";
}
