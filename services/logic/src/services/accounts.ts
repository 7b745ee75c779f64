import {
  ChatError,
  type Logger,
  type Member,
  type RateLimiter,
  type RateRule,
  type Session,
  type Stores,
  silentLogger,
} from "@chatroom/core";
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
  /** Login attempts per client address. */
  loginRate: RateRule;
  /** Failed login attempts per account (by username, whether it exists or not). */
  loginAccountRate: RateRule;
  /** Registrations per client address. */
  registerRate: RateRule;
  sessionTtlMs: number;
  now: () => number;
  logger?: Logger;
}

/** Overlong names cannot be accounts (validateUsername); login cuts them before any lookup. */
const MAX_USERNAME_LENGTH = 32;

/**
 * Registration (throttled per client address), login (throttled per client address, and per account for failed
 * attempts) and logout.
 */
export class AccountService {
  readonly #deps: AccountServiceDeps;

  constructor(deps: AccountServiceDeps) {
    this.#deps = deps;
  }

  /**
   * Creates the account, joins it to the lobby and logs it in. username_taken when the name exists: unavoidable on a
   * sign-up form, so the per-address throttle is what bounds probing names this way. Invalid input is refused before
   * the throttle (it reveals nothing and costs nothing), so a user fixing a weak password is not locked out.
   */
  async register(username: unknown, password: unknown, clientAddress: string): Promise<LoginResult> {
    const name = validateUsername(username);
    const secret = validatePassword(password, name);
    const decision = await this.#deps.rateLimiter.consume(`register:${clientAddress}`, this.#deps.registerRate);
    if (!decision.allowed) {
      this.#logger.warn({ clientAddress, retryAfterMs: decision.retryAfterMs }, "registration refused: rate limited");
      throw new ChatError("rate_limited", "too many accounts created from this address; try again later", {
        retryAfterMs: decision.retryAfterMs,
      });
    }
    const member = await this.#deps.stores.members.create({
      username: name,
      passwordHash: await hashPassword(secret),
      createdAtMs: this.#deps.now(),
    });
    await this.#deps.rooms.join(member, LOBBY_ROOM_ID);
    return this.#startSession(member);
  }

  /**
   * One generic `unauthorized` for an unknown user and a wrong password, taking the same time. Throttled per client
   * address (every attempt) and per account: each attempt reserves a token of the account's bucket before the
   * password is checked and a successful one gives it back, so only failures drain it and concurrent guesses can
   * never outrun it. An empty bucket refuses every login to that name from every address, the right password
   * included, until it refills. Unknown names get buckets too, so the 429 says nothing about whether a name exists.
   */
  async login(username: unknown, password: unknown, clientAddress: string): Promise<LoginResult> {
    if (typeof username !== "string" || typeof password !== "string") {
      throw new ChatError("bad_request", "username and password must be strings");
    }
    const { rateLimiter, loginRate, loginAccountRate } = this.#deps;
    const decision = await rateLimiter.consume(`login:${clientAddress}`, loginRate);
    if (!decision.allowed) {
      throw new ChatError("rate_limited", "too many login attempts; try again later", {
        retryAfterMs: decision.retryAfterMs,
      });
    }
    // Overlong names cannot be accounts: no bucket, no lookup.
    const accountKey = username.length <= MAX_USERNAME_LENGTH ? `login-account:${username.toLowerCase()}` : undefined;
    const reservation = accountKey ? await rateLimiter.consume(accountKey, loginAccountRate) : undefined;
    if (reservation && !reservation.allowed) {
      this.#logger.warn(
        { username, clientAddress, retryAfterMs: reservation.retryAfterMs },
        "login refused: too many failed attempts for this account",
      );
      throw new ChatError("rate_limited", "too many failed logins for this account; try again later", {
        retryAfterMs: reservation.retryAfterMs,
      });
    }
    let member: Member | null;
    try {
      member = await this.#verify(username, password, accountKey !== undefined);
    } catch (error) {
      // Only a wrong password counts: an attempt that failed otherwise (a store outage) gives its token back.
      if (accountKey) await this.#giveBack(accountKey);
      throw error;
    }
    if (!member) {
      if (reservation?.remaining === 0) {
        this.#logger.warn({ username, clientAddress }, "account locked: its failed login attempts are used up");
      }
      throw new ChatError("unauthorized", "wrong username or password");
    }
    if (accountKey) await this.#giveBack(accountKey);
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

  /**
   * The member when the password is theirs, else null, in the same time either way: an unknown user's password is
   * checked against a throwaway hash. `lookup` false (an overlong name) skips the store. Overlong passwords are cut
   * before hashing so they cost nothing extra, and never match.
   */
  async #verify(username: string, password: string, lookup: boolean): Promise<Member | null> {
    const member = lookup ? await this.#deps.stores.members.findByUsername(username) : null;
    const candidate = password.slice(0, 1024);
    let ok = false;
    if (member) ok = await verifyPassword(candidate, member.passwordHash);
    else await burnPasswordCheck(candidate);
    return member && ok && candidate === password ? member : null;
  }

  get #logger(): Logger {
    return this.#deps.logger ?? silentLogger;
  }

  /** Returns an attempt that did not count; should that fail, it costs one attempt (logged). */
  async #giveBack(accountKey: string): Promise<void> {
    try {
      await this.#deps.rateLimiter.refund(accountKey, this.#deps.loginAccountRate);
    } catch (error) {
      this.#logger.warn({ err: error, accountKey }, "could not give back a login attempt");
    }
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
