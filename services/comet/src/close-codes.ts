/** WebSocket close codes of the chatroom wire protocol (see the brief / docs/protocol.md). */
export const CloseCode = {
  NORMAL: 1000,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  INTERNAL_ERROR: 1011,
  SERVICE_RESTART: 1012,
  UNAUTHORIZED: 4001,
  AUTH_TIMEOUT: 4002,
  HEARTBEAT_TIMEOUT: 4008,
  SLOW_CONSUMER: 4009,
  SESSION_EXPIRED: 4010,
  TOO_MANY_REQUESTS: 4029,
} as const;

const MAX_REASON_BYTES = 123;
const encoder = new TextEncoder();

/** A close reason cut to the 123 bytes a close frame allows, without splitting a UTF-8 character. */
export function closeReason(text: string): string {
  if (encoder.encode(text).length <= MAX_REASON_BYTES) return text;
  let out = "";
  let bytes = 0;
  for (const char of text) {
    const size = encoder.encode(char).length;
    if (bytes + size > MAX_REASON_BYTES) break;
    out += char;
    bytes += size;
  }
  return out;
}
