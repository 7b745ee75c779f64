import { createHmac, timingSafeEqual } from "node:crypto";
import { ChatError } from "@chatroom/core";
import type { Authenticator } from "../auth/authenticator.ts";

/** Who a verified goim connection is. */
export interface GoimIdentity {
  /** The member (goim's mid) the connection belongs to; pushes to `mids` reach it. */
  memberId: number;
  /** A chatroom login session: logout and expiry close the connection, and every request re-checks it. */
  sessionId?: string;
  /** When the credential expires (ms since the epoch): the comet closes the connection then. */
  expiresAtMs?: number;
}

/**
 * The verifier hook: checks goim's `key` as a credential and says who the connection is. It throws a ChatError
 * (unauthorized, token_expired…) to refuse. Whether the identity matches the `mid` the client claims is checked by
 * the caller. Embedders pass their own to createLogic({ goimVerifier }); processes choose a built-in one with
 * CHATROOM_GOIM_VERIFIER.
 */
export type GoimVerifier = (credential: string) => Promise<GoimIdentity>;

/** `session`: the key is a chatroom session token (POST /api/v1/sessions), as on /ws. */
export function sessionVerifier(authenticator: Authenticator): GoimVerifier {
  return async (credential) => {
    const session = await authenticator.authenticate(credential);
    return { memberId: session.memberId, sessionId: session.id, expiresAtMs: session.expiresAtMs };
  };
}

const HMAC_CREDENTIAL = /^v1\.(\d{1,16})\.(\d{1,13})\.([A-Za-z0-9_-]{43})$/;

function hmacOf(secret: string, mid: string, expiresAtMs: string): Buffer {
  return createHmac("sha256", secret).update(`goim.v1.${mid}.${expiresAtMs}`).digest();
}

/**
 * A credential for the `hmac` verifier, as a backend issues it to its client for goim's `key`:
 * `v1.<mid>.<expiresAtMs>.<base64url(HMAC-SHA256(secret, "goim.v1.<mid>.<expiresAtMs>"))>`
 * (docs/goim-compat.md shows it in other languages).
 */
export function signGoimCredential(secret: string, mid: number, expiresAtMs: number): string {
  if (!Number.isSafeInteger(mid) || mid <= 0) throw new RangeError("mid must be a positive integer");
  const expires = String(Math.floor(expiresAtMs));
  return `v1.${mid}.${expires}.${hmacOf(secret, String(mid), expires).toString("base64url")}`;
}

/** `hmac`: the key is a credential the backend signed with CHATROOM_GOIM_HMAC_SECRET (signGoimCredential). */
export function hmacVerifier(secret: string, now: () => number): GoimVerifier {
  return async (credential) => {
    const match = HMAC_CREDENTIAL.exec(credential);
    if (!match) throw new ChatError("unauthorized", "the goim key is not a credential (v1.<mid>.<expires>.<hmac>)");
    const [, mid = "", expires = "", signature = ""] = match;
    // The canonical text, not the decoded bytes: base64url's last character has bits a decoder ignores.
    const given = Buffer.from(signature);
    const expected = Buffer.from(hmacOf(secret, mid, expires).toString("base64url"));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ChatError("unauthorized", "the goim credential's signature does not match");
    }
    const memberId = Number(mid);
    const expiresAtMs = Number(expires);
    if (!Number.isSafeInteger(memberId) || memberId <= 0) throw new ChatError("unauthorized", "bad mid in credential");
    if (expiresAtMs <= now()) throw new ChatError("token_expired", "the goim credential has expired");
    return { memberId, expiresAtMs };
  };
}
