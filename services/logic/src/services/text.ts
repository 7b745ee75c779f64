import { ChatError } from "@chatroom/core";

/** A control character (C0, DEL, C1: Unicode's Cc) other than tab and line feed. */
const FORBIDDEN_CONTROL = /[^\P{Cc}\n\t]/u;
const encoder = new TextEncoder();

/**
 * Checks a chat message's text and returns it unchanged (it is stored and delivered verbatim):
 * invalid_text when it is not a string, blank after trimming, not well-formed Unicode or holds control characters
 * other than \n and \t; payload_too_large above maxBytes UTF-8 bytes.
 */
export function validateText(text: unknown, maxBytes: number): string {
  if (typeof text !== "string") throw new ChatError("invalid_text", "text must be a string");
  if (text.trim().length === 0) throw new ChatError("invalid_text", "text must not be empty");
  if (!text.isWellFormed()) throw new ChatError("invalid_text", "text is not valid Unicode");
  if (FORBIDDEN_CONTROL.test(text)) {
    throw new ChatError("invalid_text", "text must not contain control characters other than newline and tab");
  }
  // Cheap bound first: a UTF-16 code unit is at most 3 UTF-8 bytes.
  if (text.length * 3 > maxBytes && encoder.encode(text).length > maxBytes) {
    throw new ChatError("payload_too_large", `text must be at most ${maxBytes} UTF-8 bytes`);
  }
  return text;
}

const CLIENT_MSG_ID = /^[\x21-\x7e]{1,64}$/;

/** Idempotency keys: 1–64 printable ASCII characters; undefined when absent (the send is then not idempotent). */
export function validateClientMsgId(value: unknown): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string" || !CLIENT_MSG_ID.test(value)) {
    throw new ChatError("bad_request", "clientMsgId must be 1–64 printable ASCII characters");
  }
  return value;
}
