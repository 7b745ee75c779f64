import { createHmac, createSecretKey, type KeyObject, randomBytes, timingSafeEqual } from "node:crypto";
import { ChatError } from "@chatroom/core";

/** What a valid token says; the session store still has the last word (revocation). */
export interface TokenClaims {
  sessionId: string;
  expiresAtMs: number;
}

const TOKEN = /^v1\.([A-Za-z0-9_-]{16,64})\.(\d{1,16})\.([A-Za-z0-9_-]{43})$/;

/** A fresh random session id (128 bits, base64url). */
export function newSessionId(): string {
  return randomBytes(16).toString("base64url");
}

/**
 * Signed session tokens: `v1.<sessionId>.<expiresAtMs>.<HMAC-SHA256(secret, "v1.<sessionId>.<expiresAtMs>")>`,
 * the MAC in base64url. The token carries no member id: the session record is the only source of it.
 */
export class SessionTokens {
  /** A KeyObject made once: createHmac with a Buffer key prepares a new key object each call (~5× slower). */
  readonly #secret: KeyObject;

  constructor(secret: string) {
    this.#secret = createSecretKey(Buffer.from(secret, "utf8"));
  }

  sign(claims: TokenClaims): string {
    const payload = `v1.${claims.sessionId}.${claims.expiresAtMs}`;
    return `${payload}.${this.#mac(payload).toString("base64url")}`;
  }

  /** Checks the form, the signature (in constant time) and then the expiry; throws unauthorized / token_expired. */
  verify(token: string, nowMs: number): TokenClaims {
    const match = TOKEN.exec(token);
    if (!match) throw new ChatError("unauthorized", "malformed session token");
    const [, sessionId = "", expires = "", signature = ""] = match;
    const expected = this.#mac(`v1.${sessionId}.${expires}`);
    const actual = Buffer.from(signature, "base64url");
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
      throw new ChatError("unauthorized", "invalid session token");
    }
    const expiresAtMs = Number(expires);
    if (expiresAtMs <= nowMs) throw new ChatError("token_expired", "the session has expired; log in again");
    return { sessionId, expiresAtMs };
  }

  #mac(payload: string): Buffer {
    return createHmac("sha256", this.#secret).update(payload).digest();
  }
}
