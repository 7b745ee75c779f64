import { newClientMsgId } from "./client-msg-id.ts";
import type {
  AuthResult,
  HttpBan,
  HttpCurrentSession,
  HttpInvitation,
  HttpMember,
  HttpMemberRoom,
  HttpMessage,
  HttpModerationResult,
  HttpMyInvitation,
  HttpRevisionResult,
  HttpRole,
  HttpRoom,
  HttpRoomDetails,
  HttpRoomMember,
  HttpSendResult,
} from "./http-types.ts";

/** A failed HTTP call: the status and the `{error: {code, message}}` the server answered with. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** From a Retry-After header, for rate_limited. */
  readonly retryAfterMs: number;

  constructor(status: number, code: string, message: string, retryAfterMs = 0) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.retryAfterMs = retryAfterMs;
  }
}

export interface ChatHttpOptions {
  /** Origin (and optional path prefix) of the server, e.g. http://127.0.0.1:8080; "" for the page's own origin. */
  baseUrl?: string;
  /** A session token sent as `Authorization: Bearer`. Without one the session cookie is relied on. */
  token?: string;
  /** Keep the token returned by register/login for later calls (default true; browsers using the cookie: false). */
  rememberToken?: boolean;
  /** fetch credentials mode (default "same-origin", which sends and stores the session cookie). */
  credentials?: RequestCredentials;
  fetch?: typeof fetch;
}

type Query = Record<string, string | number | undefined>;

/** Typed wrapper of the logic HTTP API (/api/v1). */
export class ChatHttp {
  readonly #baseUrl: string;
  readonly #remember: boolean;
  readonly #credentials: RequestCredentials;
  readonly #fetch: typeof fetch;
  token: string;

  constructor(options: ChatHttpOptions = {}) {
    this.#baseUrl = (options.baseUrl ?? "").replace(/\/+$/, "");
    this.token = options.token ?? "";
    this.#remember = options.rememberToken ?? true;
    this.#credentials = options.credentials ?? "same-origin";
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** Creates an account (it joins the lobby) and logs it in. */
  async register(username: string, password: string): Promise<AuthResult> {
    return this.#keep(await this.#call<AuthResult>("POST", "/api/v1/accounts", { username, password }));
  }

  async login(username: string, password: string): Promise<AuthResult> {
    return this.#keep(await this.#call<AuthResult>("POST", "/api/v1/sessions", { username, password }));
  }

  /** Revokes the session (its live connections are closed with 4010) and clears the cookie. */
  async logout(): Promise<void> {
    await this.#call("DELETE", "/api/v1/sessions/current");
    if (this.#remember) this.token = "";
  }

  /** The session the cookie or token stands for, or null (never an error for being signed out). */
  currentSession(): Promise<HttpCurrentSession> {
    return this.#call("GET", "/api/v1/sessions/current");
  }

  /** The member of the session, and when the session expires. */
  async me(): Promise<HttpMember> {
    return (await this.#call<{ member: HttpMember; expiresAtMs: number }>("GET", "/api/v1/me")).member;
  }

  /** Public rooms by id; `next` is the `after` of the following page (null on the last page). */
  async listRooms(
    options: { after?: string; limit?: number } = {},
  ): Promise<{ rooms: HttpRoom[]; next: string | null }> {
    const query = { after: options.after, limit: options.limit };
    const page = await this.#call<{ rooms: HttpRoom[]; next?: string | null }>(
      "GET",
      "/api/v1/rooms",
      undefined,
      query,
    );
    return { rooms: page.rooms, next: page.next ?? null };
  }

  /** Creates a public (or, with `private`, an invite-only) room; the creator joins it as its owner. */
  async createRoom(id: string, name = "", options: { private?: boolean } = {}): Promise<HttpMemberRoom> {
    const body = options.private ? { id, name, private: true } : { id, name };
    return (await this.#call<{ room: HttpMemberRoom }>("POST", "/api/v1/rooms", body)).room;
  }

  async room(id: string): Promise<HttpRoomDetails> {
    const path = `/api/v1/rooms/${encodeURIComponent(id)}`;
    return (await this.#call<{ room: HttpRoomDetails }>("GET", path)).room;
  }

  async joinRoom(id: string): Promise<HttpMemberRoom> {
    const path = `/api/v1/rooms/${encodeURIComponent(id)}/members/me`;
    return (await this.#call<{ room: HttpMemberRoom }>("PUT", path)).room;
  }

  async leaveRoom(id: string): Promise<void> {
    await this.#call("DELETE", `/api/v1/rooms/${encodeURIComponent(id)}/members/me`);
  }

  /** A room's members by id; `next` is the `after` of the following page (null on the last page). */
  async members(
    id: string,
    options: { after?: number; limit?: number } = {},
  ): Promise<{ members: HttpRoomMember[]; next: number | null }> {
    const path = `/api/v1/rooms/${encodeURIComponent(id)}/members`;
    const query = { after: options.after, limit: options.limit };
    const page = await this.#call<{ members: HttpRoomMember[]; next?: number | null }>("GET", path, undefined, query);
    return { members: page.members, next: page.next ?? null };
  }

  /**
   * A page of messages, ascending: the newest (no options), before a seq, or after a seq. The server reads
   * `after=0` as "not set" (newest page), like HISTORY on the WebSocket.
   */
  async history(
    id: string,
    options: { before?: number; after?: number; limit?: number } = {},
  ): Promise<{ roomId: string; messages: HttpMessage[]; hasMore: boolean }> {
    const path = `/api/v1/rooms/${encodeURIComponent(id)}/messages`;
    return this.#call("GET", path, undefined, { before: options.before, after: options.after, limit: options.limit });
  }

  /** Sends to a room; a retry with the same clientMsgId returns the stored message with duplicate: true. */
  async sendMessage(id: string, text: string, clientMsgId: string = newClientMsgId()): Promise<HttpSendResult> {
    return this.#call("POST", `/api/v1/rooms/${encodeURIComponent(id)}/messages`, { text, clientMsgId });
  }

  /** Sends to the direct conversation with a member (created on first use). */
  /** Changes the text of one's own message `seq` (within the edit window). */
  async editMessage(
    id: string,
    seq: number,
    text: string,
    clientMsgId: string = newClientMsgId(),
  ): Promise<HttpRevisionResult> {
    return this.#call("PATCH", `/api/v1/rooms/${encodeURIComponent(id)}/messages/${seq}`, { text, clientMsgId });
  }

  /** Deletes message `seq` (one's own within the edit window; any as an owner or moderator). */
  async deleteMessage(id: string, seq: number): Promise<HttpRevisionResult> {
    return this.#call("DELETE", `/api/v1/rooms/${encodeURIComponent(id)}/messages/${seq}`);
  }

  async sendDirect(memberId: number, text: string, clientMsgId: string = newClientMsgId()): Promise<HttpSendResult> {
    return this.#call("POST", `/api/v1/members/${memberId}/messages`, { text, clientMsgId });
  }

  /** Stores the read cursor of a room; answers the stored cursor. */
  async ack(id: string, seq: number): Promise<{ roomId: string; seq: number }> {
    return this.#call("PUT", `/api/v1/rooms/${encodeURIComponent(id)}/ack`, { seq });
  }

  /** The member's rooms (public and direct) with their read cursors. */
  async myRooms(): Promise<HttpMemberRoom[]> {
    return (await this.#call<{ rooms: HttpMemberRoom[] }>("GET", "/api/v1/me/rooms")).rooms;
  }

  /** Owners only: a member's new role (`"me"` steps the caller down). */
  setRole(id: string, memberId: number | "me", role: HttpRole): Promise<HttpModerationResult> {
    return this.#call("PUT", `${roomPath(id)}/members/${memberId}/role`, { role });
  }

  async kick(id: string, memberId: number): Promise<void> {
    await this.#call("DELETE", `${roomPath(id)}/members/${memberId}`);
  }

  /** Bans until unbanned, or for `durationMs`. */
  ban(id: string, memberId: number, options: { durationMs?: number } = {}): Promise<HttpModerationResult> {
    return this.#call("PUT", `${roomPath(id)}/bans/${memberId}`, options);
  }

  async unban(id: string, memberId: number): Promise<void> {
    await this.#call("DELETE", `${roomPath(id)}/bans/${memberId}`);
  }

  /** The room's bans in force (owners and moderators). */
  async bans(
    id: string,
    options: { after?: number; limit?: number } = {},
  ): Promise<{ bans: HttpBan[]; next: number | null }> {
    return this.#call("GET", `${roomPath(id)}/bans`, undefined, { after: options.after, limit: options.limit });
  }

  /** Mutes until unmuted, or for `durationMs`. */
  mute(id: string, memberId: number, options: { durationMs?: number } = {}): Promise<HttpModerationResult> {
    return this.#call("PUT", `${roomPath(id)}/mutes/${memberId}`, options);
  }

  async unmute(id: string, memberId: number): Promise<void> {
    await this.#call("DELETE", `${roomPath(id)}/mutes/${memberId}`);
  }

  /** Invites a member (by id or username) to a private room. */
  invite(id: string, who: { memberId: number } | { username: string }): Promise<HttpModerationResult> {
    return this.#call("POST", `${roomPath(id)}/invitations`, who);
  }

  /** A private room's pending invitations (owners and moderators). */
  async invitations(
    id: string,
    options: { after?: number; limit?: number } = {},
  ): Promise<{ invitations: HttpInvitation[]; next: number | null }> {
    return this.#call("GET", `${roomPath(id)}/invitations`, undefined, { after: options.after, limit: options.limit });
  }

  /** Withdraws an invitation, or (`"me"`) declines one's own. */
  async uninvite(id: string, memberId: number | "me"): Promise<void> {
    await this.#call("DELETE", `${roomPath(id)}/invitations/${memberId}`);
  }

  /** The private rooms the caller is invited to, newest first. */
  async myInvitations(): Promise<HttpMyInvitation[]> {
    return (await this.#call<{ invitations: HttpMyInvitation[] }>("GET", "/api/v1/me/invitations")).invitations;
  }

  #keep(result: AuthResult): AuthResult {
    if (this.#remember) this.token = result.token;
    return result;
  }

  async #call<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const init: RequestInit = { method, headers, credentials: this.#credentials };
    if (body !== undefined) init.body = JSON.stringify(body);
    const response = await this.#fetch(this.#baseUrl + path + queryString(query), init);
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!response.ok) throw toApiError(response, json, text);
    return json as T;
  }
}

function roomPath(id: string): string {
  return `/api/v1/rooms/${encodeURIComponent(id)}`;
}

function queryString(query: Query | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : "";
}

function toApiError(response: Response, json: unknown, text: string): ApiError {
  const retryAfter = Number(response.headers.get("retry-after") ?? 0);
  const retryAfterMs = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 0;
  const error = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (error && typeof error.code === "string") {
    const message = typeof error.message === "string" ? error.message : error.code;
    return new ApiError(response.status, error.code, message, retryAfterMs);
  }
  const message = text.slice(0, 200) || response.statusText || `HTTP ${response.status}`;
  return new ApiError(response.status, `http_${response.status}`, message, retryAfterMs);
}
