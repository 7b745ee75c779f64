import { type Setting, setting } from "../config/config.ts";

/**
 * Which browser origins may use a session: the WebSocket upgrade (comet) and cookie-authenticated HTTP requests
 * (logic) are refused when the request carries an `Origin` header that is neither the server's own origin nor in
 * this list. Browsers always send `Origin` on WebSocket upgrades and cross-origin requests, so this stops
 * cross-site WebSocket hijacking and cross-origin request forgery; programs that send no `Origin` (the SDK on
 * Node, curl, backends) are not browsers riding on someone's cookie and are let through.
 */
export const allowedOriginsSetting: Setting<string[]> = setting.list(
  "CHATROOM_ALLOWED_ORIGINS",
  [],
  "Browser origins besides the server's own (scheme://host[:port], comma-separated; * for any) that may open a " +
    "WebSocket or make cookie-authenticated API calls; read by comet and logic. Empty: same origin only (the " +
    "Origin's host must equal the Host header)",
);

/**
 * True when a request with these headers may proceed. `origin` is the Origin header (undefined: not a browser
 * request, allowed); `host` is the Host header the request was sent to.
 */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: readonly string[],
): boolean {
  if (origin === undefined || origin === "") return true;
  if (allowed.includes("*")) return true;
  // "null" is what sandboxed frames and file:// pages send: never the server's own origin.
  if (origin === "null") return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return false;
  const normalized = `${parsed.protocol}//${parsed.host}`;
  if (allowed.some((entry) => normalizeOrigin(entry) === normalized)) return true;
  return host !== undefined && parsed.host === host.toLowerCase();
}

function normalizeOrigin(entry: string): string {
  try {
    const url = new URL(entry);
    return `${url.protocol}//${url.host}`;
  } catch {
    return entry;
  }
}
