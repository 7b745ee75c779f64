import { ChatError, type Member, type RateLimiter, type RateRule, type Session, type Stores } from "@chatroom/core";
import { validatePassword, validateUsername } from "../auth/credentials.ts";
import { burnPasswordCheck, hashPassword, verifyPassword } from "../auth/password.ts";
import { newSessionId, type SessionTokens } from "../auth/session-token.ts";
import type { Publisher } from "./publisher.ts";
import { LOBBY_ROOM_ID } from "./room-ids.ts";
import type { RoomService } from "./rooms.ts";

export interface LoginResult {
  member: Member;
  session: Session;
  token: string;
}

/** The WebSocket close code of a connection whose session ended (docs/protocol.md). */
const SESSION_ENDED_CLOSE_CODE = 4010;

interface AccountServiceDeps {
  stores: Stores;
  publisher: Publisher;
  rooms: RoomService;
  tokens: SessionTokens;
  rateLimiter: RateLimiter;
  loginRate: RateRule;
  sessionTtlMs: number;
  now: () => number;
}

/** Registration, login (rate-limited per client address) and logout. */
export class AccountService {
  readonly #deps: AccountServiceDeps;

  constructor(deps: AccountServiceDeps) {
    this.#deps = deps;
  }

  /** Creates the account, joins it to the lobby and logs it in. username_taken when the name exists. */
  async register(username: unknown, password: unknown): Promise<LoginResult> {
    const name = validateUsername(username);
    const secret = validatePassword(password);
    const member = await this.#deps.stores.members.create({
      username: name,
      passwordHash: await hashPassword(secret),
      createdAtMs: this.#deps.now(),
    });
    await this.#deps.rooms.join(member, LOBBY_ROOM_ID);
    return this.#startSession(member);
  }

  /** One generic `unauthorized` for an unknown user and a wrong password, taking the same time. */
  async login(username: unknown, password: unknown, clientAddress: string): Promise<LoginResult> {
    if (typeof username !== "string" || typeof password !== "string") {
      throw new ChatError("bad_request", "username and password must be strings");
    }
    const decision = await this.#deps.rateLimiter.consume(`login:${clientAddress}`, this.#deps.loginRate);
    if (!decision.allowed) {
      throw new ChatError("rate_limited", "too many login attempts; try again later", {
        retryAfterMs: decision.retryAfterMs,
      });
    }
    // Overlong inputs cannot match any account; they are cut before hashing so they cost nothing extra.
    const member = username.length <= 32 ? await this.#deps.stores.members.findByUsername(username) : null;
    const candidate = password.slice(0, 1024);
    let ok = false;
    if (member) ok = await verifyPassword(candidate, member.passwordHash);
    else await burnPasswordCheck(candidate);
    if (!member || !ok || candidate !== password) throw new ChatError("unauthorized", "wrong username or password");
    return this.#startSession(member);
  }

  /**
   * Revokes the session, then closes its live connections on every comet (4010). Requests that race the close
   * are refused anyway: logic re-checks the session on each one.
   */
  async logout(session: Session): Promise<void> {
    await this.#deps.stores.sessions.revoke(session.id, this.#deps.now());
    await this.#deps.publisher.closeSession(session.memberId, session.id, SESSION_ENDED_CLOSE_CODE, "logged out");
  }

  /** The member behind a live session; unauthorized when the account is gone. */
  async memberOf(session: Session): Promise<Member> {
    const member = await this.#deps.stores.members.findById(session.memberId);
    if (!member) throw new ChatError("unauthorized", "the account no longer exists");
    return member;
  }

  async #startSession(member: Member): Promise<LoginResult> {
    const now = this.#deps.now();
    const session = await this.#deps.stores.sessions.create({
      id: newSessionId(),
      memberId: member.id,
      createdAtMs: now,
      expiresAtMs: now + this.#deps.sessionTtlMs,
    });
    const token = this.#deps.tokens.sign({ sessionId: session.id, expiresAtMs: session.expiresAtMs });
    return { member, session, token };
  }
}
