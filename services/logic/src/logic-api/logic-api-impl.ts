import { ChatError, type LogicApi, type Member } from "@chatroom/core";
import {
  type ConnectRequest,
  type ConnectResponse,
  Dialect,
  type DisconnectRequest,
  type DisconnectResponse,
  type HeartbeatRequest,
  type HeartbeatResponse,
  type ReceiveRequest,
  type ReceiveResponse,
  type RenewOnlineRequest,
  type RenewOnlineResponse,
} from "@chatroom/proto/grpc";
import { AuthReply, AuthRequest, opName } from "@chatroom/proto/protocol";
import { readCookie } from "../auth/cookies.ts";
import { goimConnect } from "../goim/goim-connect.ts";
import { goimReceive } from "../goim/goim-receive.ts";
import type { LogicServices } from "../services/logic-services.ts";
import { toRoomInfo } from "../services/views.ts";
import { newConnectionKey, sessionIdOfKey } from "./connection-key.ts";
import { decode, receiveHandlers } from "./receive-handlers.ts";

const SESSION_ERRORS = new Set(["unauthorized", "token_expired", "session_revoked"]);

/**
 * LogicApi for comets. The comet is trusted with member ids and keys (it got them from connect); failures are
 * thrown as ChatErrors, which the comet turns into OP_ERROR frames (receive) or close codes (connect).
 */
export class LogicApiImpl implements LogicApi {
  readonly #services: LogicServices;

  constructor(services: LogicServices) {
    this.#services = services;
  }

  /** Authenticates an OP_AUTH (token, or the upgrade request's session cookie when empty) and registers presence. */
  async connect(request: ConnectRequest): Promise<ConnectResponse> {
    if (request.dialect === Dialect.DIALECT_GOIM) return goimConnect(this.#services, request);
    const { authenticator, accounts, rooms, presence, config } = this.#services;
    const auth = decode(AuthRequest, request.token, "AuthRequest");
    const token = auth.token || readCookie(request.cookie, config.cookieName);
    const session = await authenticator.authenticate(token);
    const member = await accounts.memberOf(session);
    const live = await presence.locateMembers([member.id]);
    if (live.length >= config.maxConnectionsPerMember) {
      throw new ChatError(
        "limit_exceeded",
        `at most ${config.maxConnectionsPerMember} connections per member (CHATROOM_MAX_CONNECTIONS_PER_MEMBER)`,
      );
    }
    const memberRooms = await rooms.roomsOf(member.id);
    const key = newConnectionKey(session.id);
    const roomIds = memberRooms.map((r) => r.room.id);
    await presence.upsert({ key, memberId: member.id, server: request.server, rooms: roomIds }, config.presenceTtlMs);
    this.#services.online.changed(roomIds);
    const online = await presence.onlineCounts(roomIds);
    const authReply = AuthReply.encode({
      memberId: member.id,
      username: member.username,
      key,
      heartbeatIntervalMs: config.heartbeatIntervalMs,
      rooms: memberRooms.map((view) => toRoomInfo(view, online.get(view.room.id) ?? 0)),
      server: request.server,
      messageEditWindowMs: config.messageEditWindowMs,
    }).finish();
    return {
      memberId: member.id,
      key,
      roomIds,
      accepts: [...new Set(auth.accepts.filter((op) => Number.isInteger(op) && op >= 0))],
      heartbeatMs: config.heartbeatIntervalMs,
      authReply,
      expiresAtMs: session.expiresAtMs,
      sessionId: session.id,
    };
  }

  async disconnect(request: DisconnectRequest): Promise<DisconnectResponse> {
    const { presence, online } = this.#services;
    const connection = await presence.get(request.key);
    // A key a goim client chose may have moved to another comet since: that comet's connection keeps it.
    if (connection && connection.server !== request.server) return { has: false };
    const has = await presence.remove(request.key);
    if (connection) online.changed(connection.rooms);
    return { has };
  }

  /** Renews presence (re-creating it from room_ids when the presence store lost it) while the session lives. */
  async heartbeat(request: HeartbeatRequest): Promise<HeartbeatResponse> {
    const { presence, config } = this.#services;
    if (!(await this.#sessionStillValid(request))) {
      await presence.remove(request.key);
      return { valid: false };
    }
    if (!(await presence.renew(request.key, config.presenceTtlMs))) {
      await presence.upsert(
        { key: request.key, memberId: request.memberId, server: request.server, rooms: request.roomIds },
        config.presenceTtlMs,
      );
      this.#services.online.changed(request.roomIds);
    }
    return { valid: true };
  }

  /** Cluster-wide online members of the rooms the comet holds (presence is the source, not the comet's counts). */
  async renewOnline(request: RenewOnlineRequest): Promise<RenewOnlineResponse> {
    const counts = await this.#services.presence.onlineCounts(Object.keys(request.roomCount));
    return { allRoomCount: Object.fromEntries(counts) };
  }

  async receive(request: ReceiveRequest): Promise<ReceiveResponse> {
    const proto = request.proto;
    if (!proto) throw new ChatError("bad_request", "missing frame");
    // Every request re-checks the session, so a logout stops a connection at once even before the comet's
    // close arrives (and a connection whose comet missed the close push is stopped at its next request).
    if (request.dialect === Dialect.DIALECT_GOIM) {
      await this.#requireLiveSession(request.key, request.memberId, request.dialect);
      return goimReceive(this.#services, request);
    }
    const handler = receiveHandlers.get(proto.op);
    if (!handler) throw new ChatError("bad_request", `operation ${opName(proto.op)} is not a request logic handles`);
    await this.#requireLiveSession(request.key, request.memberId);
    let member: Promise<Member> | undefined;
    return handler(this.#services, {
      memberId: request.memberId,
      key: request.key,
      seq: proto.seq,
      body: proto.body,
      member: () => {
        member ??= this.#loadMember(request.memberId);
        return member;
      },
    });
  }

  async #loadMember(memberId: number): Promise<Member> {
    const member = await this.#services.stores.members.findById(memberId);
    if (!member) throw new ChatError("unauthorized", "the account no longer exists");
    return member;
  }

  async #sessionStillValid(request: HeartbeatRequest): Promise<boolean> {
    try {
      await this.#requireLiveSession(request.key, request.memberId, request.dialect);
      return true;
    } catch (error) {
      if (error instanceof ChatError && SESSION_ERRORS.has(error.code)) return false;
      throw error;
    }
  }

  /**
   * Throws session_revoked / token_expired / unauthorized unless the connection's session is live. goim
   * connections that were trusted or verified without a login session have none to check.
   */
  async #requireLiveSession(key: string, memberId: number, dialect?: Dialect): Promise<void> {
    const sessionId = sessionIdOfKey(key);
    if (!sessionId && dialect === Dialect.DIALECT_GOIM) return;
    if (!sessionId) throw new ChatError("unauthorized", "the connection key carries no session");
    const session = await this.#services.authenticator.sessionById(sessionId);
    if (session.memberId !== memberId) throw new ChatError("unauthorized", "the session belongs to another member");
  }
}
