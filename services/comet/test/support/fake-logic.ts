import { EventEmitter, once } from "node:events";
import { ChatError, type LogicApi } from "@chatroom/core";
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
import { AuthReply, AuthRequest } from "@chatroom/proto/protocol";

export interface FakeSession {
  memberId: number;
  username?: string;
  roomIds?: string[];
  accepts?: number[];
  heartbeatMs?: number;
  expiresAtMs?: number;
  /** Default: the token. */
  sessionId?: string;
}

export function receiveResult(partial: Partial<ReceiveResponse> = {}): ReceiveResponse {
  return {
    protos: [],
    joinRooms: [],
    leaveRooms: [],
    replaceRooms: false,
    acceptsAdd: [],
    acceptsRemove: [],
    ...partial,
  };
}

/**
 * A hand-written LogicApi for the comet's unit tests: sessions by token, scripted receive() answers, and a record
 * of every call. Keys are "k1", "k2"… in connect order.
 */
export class FakeLogic implements LogicApi {
  readonly sessions = new Map<string, FakeSession>();
  readonly connects: ConnectRequest[] = [];
  readonly disconnects: DisconnectRequest[] = [];
  readonly heartbeats: HeartbeatRequest[] = [];
  readonly renewals: RenewOnlineRequest[] = [];
  readonly received: ReceiveRequest[] = [];
  allRoomCount: Record<string, number> = {};
  heartbeatValid = true;
  /** Heartbeat interval of goim connections. */
  goimHeartbeatMs = 30_000;
  /** When set, connect() waits for it before answering. */
  connectGate: Promise<void> | undefined;
  onReceive: (request: ReceiveRequest) => Promise<ReceiveResponse> = async () => receiveResult();
  private readonly events = new EventEmitter();
  private nextKey = 0;

  addSession(token: string, session: FakeSession): void {
    this.sessions.set(token, session);
  }

  async connect(request: ConnectRequest): Promise<ConnectResponse> {
    this.connects.push(request);
    this.events.emit("connect", request);
    if (request.dialect === Dialect.DIALECT_GOIM) return this.goimConnect(request);
    const auth = AuthRequest.decode(request.token);
    const session = this.sessions.get(auth.token);
    await this.connectGate;
    if (!session) throw new ChatError("unauthorized", `unknown token "${auth.token}"`);
    const key = `k${++this.nextKey}`;
    const heartbeatMs = session.heartbeatMs ?? 30_000;
    const authReply = AuthReply.encode({
      memberId: session.memberId,
      username: session.username ?? `member${session.memberId}`,
      key,
      heartbeatIntervalMs: heartbeatMs,
      rooms: [],
      server: request.server,
    }).finish();
    return {
      memberId: session.memberId,
      key,
      roomIds: session.roomIds ?? [],
      accepts: [...auth.accepts, ...(session.accepts ?? [])],
      heartbeatMs,
      authReply,
      expiresAtMs: session.expiresAtMs ?? 0,
      sessionId: session.sessionId ?? auth.token,
    };
  }

  /**
   * goim's JSON auth, taken as it is: mid, room_id and accepts become the connection's (the real checks are logic's,
   * tested there). The auth reply carries bytes so that tests see the comet write goim's empty one instead.
   */
  private goimConnect(request: ConnectRequest): ConnectResponse {
    const auth = JSON.parse(new TextDecoder().decode(request.token)) as {
      mid?: number;
      room_id?: string;
      accepts?: number[];
    };
    return {
      memberId: auth.mid ?? 0,
      key: `k${++this.nextKey}`,
      roomIds: auth.room_id ? [auth.room_id] : [],
      accepts: auth.accepts ?? [],
      heartbeatMs: this.goimHeartbeatMs,
      authReply: new Uint8Array([1, 2, 3]),
      expiresAtMs: 0,
      sessionId: "",
    };
  }

  async disconnect(request: DisconnectRequest): Promise<DisconnectResponse> {
    this.disconnects.push(request);
    this.events.emit("disconnect", request);
    return { has: true };
  }

  async heartbeat(request: HeartbeatRequest): Promise<HeartbeatResponse> {
    this.heartbeats.push(request);
    this.events.emit("heartbeat", request);
    return { valid: this.heartbeatValid };
  }

  async renewOnline(request: RenewOnlineRequest): Promise<RenewOnlineResponse> {
    this.renewals.push(request);
    const response = { allRoomCount: { ...this.allRoomCount } };
    this.events.emit("renewOnline", request);
    return response;
  }

  receive(request: ReceiveRequest): Promise<ReceiveResponse> {
    this.received.push(request);
    return this.onReceive(request);
  }

  /** Resolves with the next call of `event` ("connect", "disconnect", "heartbeat", "renewOnline") that matches. */
  async next<T>(event: string, matches: (request: T) => boolean = () => true): Promise<T> {
    const signal = AbortSignal.timeout(10_000);
    for (;;) {
      const [request] = (await once(this.events, event, { signal })) as [T];
      if (matches(request)) return request;
    }
  }
}
