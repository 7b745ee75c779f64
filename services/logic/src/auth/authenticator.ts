import { ChatError, type Session, type SessionStore } from "@chatroom/core";
import type { SessionTokens } from "./session-token.ts";

/** Turns a token into its live session: signature and expiry first (no I/O), then the session store. */
export class Authenticator {
  readonly #tokens: SessionTokens;
  readonly #sessions: SessionStore;
  readonly #now: () => number;

  constructor(tokens: SessionTokens, sessions: SessionStore, now: () => number) {
    this.#tokens = tokens;
    this.#sessions = sessions;
    this.#now = now;
  }

  /** Throws unauthorized (missing, malformed, forged), token_expired or session_revoked. */
  async authenticate(token: string | undefined): Promise<Session> {
    if (!token) throw new ChatError("unauthorized", "authentication required");
    const claims = this.#tokens.verify(token, this.#now());
    return this.sessionById(claims.sessionId);
  }

  /** The session if it still exists, is not revoked and has not expired. */
  async sessionById(sessionId: string): Promise<Session> {
    const session = await this.#sessions.find(sessionId);
    // A correctly signed token whose session is gone was logged out or cleaned up: either way, revoked.
    if (!session || session.revokedAtMs !== null) throw new ChatError("session_revoked", "the session has ended");
    if (session.expiresAtMs <= this.#now()) throw new ChatError("token_expired", "the session has expired");
    return session;
  }
}
