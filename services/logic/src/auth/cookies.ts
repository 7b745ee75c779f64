/** The value of one cookie in a Cookie header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return undefined;
}

export interface CookieOptions {
  secure: boolean;
  /** Absolute expiry; omitted with maxAgeSeconds 0 to clear the cookie. */
  expiresAtMs?: number;
}

/** A Set-Cookie value for the session: HttpOnly, SameSite=Strict, Path=/ (tokens are base64url, no escaping). */
export function sessionCookie(name: string, value: string, options: CookieOptions): string {
  const parts = [`${name}=${value}`, "Path=/", "HttpOnly", "SameSite=Strict"];
  if (options.expiresAtMs === undefined) {
    parts.push("Max-Age=0", "Expires=Thu, 01 Jan 1970 00:00:00 GMT");
  } else {
    parts.push(`Expires=${new Date(options.expiresAtMs).toUTCString()}`);
  }
  if (options.secure) parts.push("Secure");
  return parts.join("; ");
}
