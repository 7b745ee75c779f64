import { type ChatError, isChatError, type Logger, type LogicApi } from "@chatroom/core";
import type { ConnectResponse } from "@chatroom/proto/grpc";
import { decodeFrame, encodeFrame, type Frame, FrameError, Op } from "@chatroom/proto/protocol";
import type { RawData, WebSocket } from "ws";
import type { Buckets } from "./buckets.ts";
import { Channel, type ChannelLimits } from "./channel.ts";
import { CloseCode, closeReason } from "./close-codes.ts";
import type { CometConfig } from "./config.ts";
import type { ConnectionDialect } from "./dialect.ts";
import { encodeProto } from "./encode-proto.ts";
import { errorFrame } from "./error-frame.ts";
import type { MemberRates } from "./member-rates.ts";
import type { CometMetrics } from "./metrics/comet-metrics.ts";
import type { OnlineCounts } from "./online-counts.ts";
import { applyReceiveResult, checkAccepts } from "./receive-result.ts";
import { RequestRate } from "./request-rate.ts";
import { SerialQueue, type SerialQueueOwner } from "./serial-queue.ts";
import type { TimerWheel, WheelEntry } from "./timer-wheel.ts";

/** What every connection of a comet shares. */
export interface ConnectionContext {
  config: CometConfig;
  logic: LogicApi;
  buckets: Buckets;
  online: OnlineCounts;
  /** Frame budgets shared by each member's connections on this comet. */
  memberRates: MemberRates;
  logger: Logger;
  metrics: CometMetrics;
  /** Keeps a logic call that close() must wait for (disconnects). */
  track(promise: Promise<unknown>): void;
  /** The auth, heartbeat and session-expiry deadlines of all connections (one timer for the comet). */
  deadlines: TimerWheel;
  /** Shared by every channel (one object, not one per connection). */
  channelLimits: ChannelLimits;
  /** Told when a channel closes itself as a slow consumer (one function for all channels). */
  onSlowConsumer: () => void;
  /** Told once a connection is closed and unregistered. */
  forget(connection: WsConnection): void;
}

/** The socket's connection, so that one set of listener functions serves every socket (`this` is the socket). */
const CONNECTION = Symbol("chatroom.connection");
type OwnedSocket = WebSocket & { [CONNECTION]?: WsConnection };

function onSocketMessage(this: OwnedSocket, data: RawData, isBinary: boolean): void {
  this[CONNECTION]?.onMessage(data, isBinary);
}

function onSocketError(this: OwnedSocket, error: Error): void {
  this[CONNECTION]?.onSocketError(error);
}

function onSocketClose(this: OwnedSocket, code: number, reason: Buffer): void {
  this[CONNECTION]?.onSocketClose(code, reason);
}

/** How long a flooding client's socket stays after its close frame was sent (unread) before it is cut. */
const ABUSIVE_CLOSE_GRACE_MS = 1000;
/** Tokens of the member's frame budget a new connection costs. */
const CONNECTION_COST = 5;
const AUTH_FAILURES = new Set<ChatError["code"]>(["unauthorized", "token_expired", "session_revoked", "forbidden"]);
const SESSION_ENDED = new Set<ChatError["code"]>(["unauthorized", "token_expired", "session_revoked"]);
/** Refusals counted by their own code in chatroom_comet_auth_failures_total; anything else counts as "error". */
const AUTH_REFUSALS = new Set<ChatError["code"]>([...AUTH_FAILURES, "bad_request", "limit_exceeded", "rate_limited"]);

/**
 * One client WebSocket (goim's ServeWebsocket): AUTH first, then HEARTBEATs answered locally and every other
 * request passed to logic.receive, one at a time in arrival order. Every frame spends a token of the connection's
 * request rate (over it: OP_ERROR rate_limited without asking logic; ignoring that: close 4029), and reading pauses
 * while too many requests wait, so one connection can neither flood logic nor hold the event loop.
 *
 * Memory: an idle connection holds this object, its Channel and the `ws` socket — no closure, bound function or
 * Timeout of its own. The socket's listeners are shared module functions; its one deadline (auth timeout before
 * AUTH, then the heartbeat reaper or the session expiry, whichever is first) is an entry of the comet's timer
 * wheel; the request-rate bucket and the request queue exist only while in use.
 */
export class WsConnection implements WheelEntry, SerialQueueOwner {
  wheelAt = 0;
  wheelSlot = -1;
  wheelPrev: WheelEntry | null = null;
  wheelNext: WheelEntry | null = null;
  private readonly ws: OwnedSocket;
  /** The upgrade request's Cookie header, kept only until AUTH (the request itself is not retained). */
  private cookie: string;
  /** The connection's frame budget; undefined while it would be full (an idle connection holds none). */
  private rate: RequestRate | undefined;
  private readonly ctx: ConnectionContext;
  /** chatroom's protobuf bodies or goim's, chosen by the listener path the client connected to. */
  private readonly dialect: ConnectionDialect;
  /** Requests waiting or running; undefined while there are none. */
  private queue: SerialQueue | undefined;
  private channel: Channel | undefined;
  private authSeen = false;
  private closing = false;
  private finished = false;
  private paused = false;
  private lastReceivedAt = Date.now();
  private lastRenewAt = 0;
  private heartbeatMs: number;
  /** The session's end (ms since the epoch), 0 when it has none. */
  private expiresAtMs = 0;
  /** Callers of whenClosed() waiting (created only when someone waits: a drain). */
  private closedWaiters: Array<() => void> | undefined;

  constructor(ws: WebSocket, cookie: string, ctx: ConnectionContext, dialect: ConnectionDialect) {
    this.ws = ws;
    this.dialect = dialect;
    this.cookie = cookie;
    this.ctx = ctx;
    this.heartbeatMs = ctx.config.heartbeatIntervalMs;
    this.ws[CONNECTION] = this;
    ws.on("message", onSocketMessage);
    ws.on("error", onSocketError);
    ws.on("close", onSocketClose);
    ctx.deadlines.schedule(this, Date.now() + ctx.config.authTimeoutMs);
    ctx.metrics.connected();
  }

  /** Resolves once the socket is closed and the connection unregistered. */
  whenClosed(): Promise<void> {
    if (this.finished) return Promise.resolve();
    return new Promise((resolve) => {
      this.closedWaiters ??= [];
      this.closedWaiters.push(resolve);
    });
  }

  /** Starts the close handshake; later frames are ignored. */
  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.queue?.clear();
    // Reading may be paused (too many requests waiting): the peer's close frame must still be read, or the close
    // handshake would hang until ws's 30 s close timeout. Frames read from now on are ignored.
    if (this.paused) {
      this.paused = false;
      this.ws.resume();
    }
    if (this.channel) this.channel.close(code, closeReason(reason));
    else if (this.ws.readyState === this.ws.OPEN) this.ws.close(code, closeReason(reason));
  }

  /**
   * Closes a client that floods the comet (4029): after the close frame nothing more is read from it — its
   * pipelined frames would cost parsing for nothing — and the socket is cut a moment later, handshake or not.
   */
  private closeAbusive(reason: string): void {
    this.close(CloseCode.TOO_MANY_REQUESTS, reason);
    this.ws.pause();
    setTimeout(() => this.ws.terminate(), ABUSIVE_CLOSE_GRACE_MS).unref();
  }

  /** Cuts the socket without a close handshake (drain timeout). */
  terminate(): void {
    this.closing = true;
    this.ws.terminate();
  }

  /** @internal the socket's 'message' listener. */
  onMessage(data: RawData, isBinary: boolean): void {
    if (this.closing) return;
    this.lastReceivedAt = Date.now();
    const frame = this.decode(data, isBinary);
    this.ctx.metrics.received(frame?.op, byteLength(data));
    if (!frame) return;
    const violation =
      frame.op === Op.AUTH ? (this.authSeen ? "already authenticated" : null) : this.authSeen ? null : "auth required";
    if (violation) {
      this.close(CloseCode.PROTOCOL_ERROR, violation);
      return;
    }
    this.authSeen = true;
    const verdict = this.spend();
    if (verdict === "close") {
      this.ctx.metrics.requestRefused("rate_closed");
      this.closeAbusive("request rate exceeded");
      return;
    }
    if (verdict === "refuse") {
      this.ctx.metrics.requestRefused("rate_limited");
      const retryAfterMs = Math.max(
        this.rate?.retryAfterMs() ?? 0,
        this.channel ? this.ctx.memberRates.retryAfterMs(this.channel.memberId) : 0,
      );
      this.requests().push(async () => this.refuse(frame, retryAfterMs));
    } else {
      this.requests().push(() => this.handle(frame));
    }
    if (!this.paused && this.requests().size >= this.ctx.config.maxPendingRequests) {
      this.paused = true;
      this.ws.pause();
    }
  }

  /** The message's frame, or undefined after closing the connection for a malformed one. */
  private decode(data: RawData, isBinary: boolean): Frame | undefined {
    if (!isBinary) {
      this.close(CloseCode.UNSUPPORTED_DATA, "binary frames only");
      return undefined;
    }
    try {
      return decodeFrame(toBytes(data), this.ctx.config.maxFrameBytes);
    } catch (error) {
      const tooLarge = error instanceof FrameError && error.code === "frame_too_large";
      const reason = error instanceof Error ? error.message : "malformed frame";
      this.close(tooLarge ? CloseCode.MESSAGE_TOO_BIG : CloseCode.PROTOCOL_ERROR, reason);
      return undefined;
    }
  }

  private requests(): SerialQueue {
    this.queue ??= new SerialQueue(this);
    return this.queue;
  }

  /** @internal SerialQueueOwner */
  onTaskError(error: unknown): void {
    this.ctx.logger.error({ err: error }, "request handling failed");
  }

  /** @internal SerialQueueOwner: resumes reading once few enough requests wait. */
  afterTask(): void {
    if (this.paused && this.requests().size < this.ctx.config.maxPendingRequests) {
      this.paused = false;
      this.ws.resume();
    }
  }

  /** One frame's tokens: the connection's, then (once authenticated) the member's on this comet. */
  private spend(): "allow" | "refuse" | "close" {
    const { requestRateCapacity, requestRateRefillPerSecond } = this.ctx.config;
    this.rate ??= new RequestRate(requestRateCapacity, requestRateRefillPerSecond);
    const own = this.rate.take();
    if (own !== "allow" || !this.channel) return own;
    return this.ctx.memberRates.take(this.channel.memberId);
  }

  /**
   * Answers a request with OP_ERROR rate_limited without asking logic (its order among the replies is kept by the
   * queue). No Error object: a flood makes many of these, and a stack trace each would cost more than the request.
   */
  private refuse(frame: Frame, retryAfterMs: number): void {
    const channel = this.channel;
    if (this.closing || !channel || channel.isClosed) return;
    const body = this.dialect.errorBody({
      code: "rate_limited",
      message: "too many requests; slow down",
      requestOp: frame.op,
      retryAfterMs,
    });
    this.write(channel, Op.ERROR, encodeFrame(Op.ERROR, frame.seq, body));
  }

  private async handle(frame: Frame): Promise<void> {
    if (this.closing) return;
    if (frame.op === Op.AUTH) return this.authenticate(frame);
    const channel = this.channel;
    if (!channel || channel.isClosed) return;
    if (frame.op === Op.HEARTBEAT) return this.heartbeat(channel, frame);
    return this.receive(channel, frame);
  }

  private async authenticate(frame: Frame): Promise<void> {
    const { logic, config, buckets, logger } = this.ctx;
    let response: ConnectResponse;
    try {
      response = await logic.connect({
        server: config.id,
        cookie: this.cookie,
        token: frame.body,
        ...this.dialect.connect,
      });
    } catch (error) {
      this.ctx.metrics.authFailed(isChatError(error) && AUTH_REFUSALS.has(error.code) ? error.code : "error");
      if (isChatError(error) && AUTH_FAILURES.has(error.code)) return this.close(CloseCode.UNAUTHORIZED, error.message);
      if (isChatError(error) && error.code === "bad_request")
        return this.close(CloseCode.PROTOCOL_ERROR, error.message);
      if (isChatError(error) && (error.code === "limit_exceeded" || error.code === "rate_limited"))
        return this.close(CloseCode.TOO_MANY_REQUESTS, error.message);
      logger.error({ err: error }, "logic.connect failed");
      return this.close(CloseCode.INTERNAL_ERROR, "internal error");
    }
    const { memberId, key } = response;
    this.cookie = "";
    if (this.closing) {
      // The client left (or timed out) while logic registered it: undo that registration.
      this.ctx.track(this.disconnect(memberId, key));
      return;
    }
    try {
      checkAccepts(new Set(), response.accepts, config.maxAccepts);
    } catch (error) {
      this.ctx.metrics.authFailed("limit_exceeded");
      this.ctx.track(this.disconnect(memberId, key));
      return this.close(CloseCode.POLICY_VIOLATION, (error as Error).message);
    }
    // A connection costs its member more than a request: reconnecting in a loop is a flood too.
    if (this.ctx.memberRates.take(memberId, CONNECTION_COST) !== "allow") {
      this.ctx.metrics.authFailed("rate_limited");
      this.ctx.track(this.disconnect(memberId, key));
      return this.closeAbusive("connecting too often; try again later");
    }
    const channel = new Channel({
      key,
      memberId,
      sessionId: response.sessionId,
      accepts: response.accepts,
      dialect: this.dialect.name,
      socket: this.ws,
      limits: this.ctx.channelLimits,
      onSlowConsumer: this.ctx.onSlowConsumer,
    });
    this.channel = channel;
    buckets.put(channel)?.close(CloseCode.NORMAL, "replaced by a new connection");
    for (const roomId of response.roomIds) buckets.join(channel, roomId);
    this.heartbeatMs = response.heartbeatMs > 0 ? response.heartbeatMs : config.heartbeatIntervalMs;
    this.lastRenewAt = Date.now();
    logger.debug({ memberId, key, rooms: response.roomIds.length }, "connection authenticated");
    this.write(channel, Op.AUTH_REPLY, encodeFrame(Op.AUTH_REPLY, frame.seq, this.dialect.authReply(response)));
    this.expiresAtMs = Math.max(response.expiresAtMs, 0);
    // From now on the deadline is the reaper's or the session's end (it replaces the auth timeout).
    this.armDeadline();
  }

  /** Nothing received for 2 heartbeat intervals plus the grace closes the connection (the reaper). */
  private reaperTimeoutMs(): number {
    return 2 * this.heartbeatMs + this.ctx.config.heartbeatGraceMs;
  }

  private armDeadline(): void {
    const reapAt = this.lastReceivedAt + this.reaperTimeoutMs();
    const at = this.expiresAtMs > 0 ? Math.min(reapAt, this.expiresAtMs) : reapAt;
    this.ctx.deadlines.schedule(this, at);
  }

  /**
   * @internal WheelEntry: before AUTH completed, the auth timeout (4002); after, the session's end (4010) or the
   * reaper (4008) — or, when a frame came in since, the next deadline (and the idle state is let go).
   */
  onDeadline(now: number): void {
    if (this.closing) return;
    if (!this.channel) {
      this.ctx.metrics.authFailed("timeout");
      this.close(CloseCode.AUTH_TIMEOUT, "auth timeout");
      return;
    }
    if (this.expiresAtMs > 0 && now >= this.expiresAtMs) {
      this.close(CloseCode.SESSION_EXPIRED, "session expired");
      return;
    }
    if (now - this.lastReceivedAt >= this.reaperTimeoutMs()) {
      this.close(CloseCode.HEARTBEAT_TIMEOUT, "heartbeat timeout");
      return;
    }
    // A full bucket and an empty queue hold nothing that a new one would not: an idle connection keeps neither.
    if (this.rate?.isFull(now)) this.rate = undefined;
    if (this.queue?.size === 0) this.queue = undefined;
    this.armDeadline();
  }

  private heartbeat(channel: Channel, frame: Frame): void {
    const { online, buckets, logic, config, logger } = this.ctx;
    this.ctx.metrics.heartbeat();
    const reply = this.dialect.heartbeatReply(channel, { online, buckets });
    this.write(channel, Op.HEARTBEAT_REPLY, encodeFrame(Op.HEARTBEAT_REPLY, frame.seq, reply));
    const now = Date.now();
    if (now - this.lastRenewAt < this.heartbeatMs) return;
    this.lastRenewAt = now;
    const request = {
      memberId: channel.memberId,
      key: channel.key,
      server: config.id,
      roomIds: [...channel.rooms],
      ...this.dialect.requests,
    };
    logic.heartbeat(request).then(
      (response) => {
        if (!response.valid) this.close(CloseCode.SESSION_EXPIRED, "session expired");
      },
      (error: unknown) => {
        if (isChatError(error) && SESSION_ENDED.has(error.code)) this.close(CloseCode.SESSION_EXPIRED, error.message);
        else logger.warn({ err: error, key: channel.key }, "logic.heartbeat failed");
      },
    );
  }

  private async receive(channel: Channel, frame: Frame): Promise<void> {
    const { logic, config, buckets } = this.ctx;
    const proto = { ver: frame.ver, op: frame.op, seq: frame.seq, body: frame.body };
    let result: Awaited<ReturnType<LogicApi["receive"]>>;
    try {
      result = await logic.receive({
        memberId: channel.memberId,
        key: channel.key,
        server: config.id,
        proto,
        ...this.dialect.requests,
      });
    } catch (error) {
      if (isChatError(error) && SESSION_ENDED.has(error.code)) {
        // Logged out or expired since the last check: logic refuses every request of the session from now on.
        return this.close(CloseCode.SESSION_EXPIRED, error.message);
      }
      if (!isChatError(error)) this.ctx.logger.error({ err: error, op: frame.op }, "logic.receive failed");
      this.write(channel, Op.ERROR, errorFrame(error, frame.op, frame.seq, this.dialect));
      return;
    }
    if (this.closing) return;
    try {
      applyReceiveResult(buckets, channel, result, config.maxAccepts);
    } catch (error) {
      this.write(channel, Op.ERROR, errorFrame(error, frame.op, frame.seq, this.dialect));
      return;
    }
    for (const reply of result.protos) this.write(channel, reply.op, encodeProto(reply));
  }

  /** Queues a frame of this connection's own (a reply) and counts it. */
  private write(channel: Channel, op: number, frame: Uint8Array): void {
    this.ctx.metrics.sent(op, frame.length, channel.push(frame) ? 1 : 0, 1);
  }

  /** @internal the socket's 'error' listener. */
  onSocketError(error: Error): void {
    this.ctx.logger.debug({ err: error }, "websocket error");
  }

  /** @internal the socket's 'close' listener. */
  onSocketClose(code: number, reason: Buffer): void {
    this.ctx.logger.debug({ key: this.channel?.key, code, reason: reason.toString() }, "connection closed");
    this.ctx.metrics.disconnected(code);
    this.onClose();
  }

  private onClose(): void {
    this.closing = true;
    this.queue?.clear();
    this.ctx.deadlines.cancel(this);
    const channel = this.channel;
    // A channel replaced by a newer one with the same key is no longer registered; its presence is the new one's.
    if (channel && this.ctx.buckets.remove(channel)) {
      this.ctx.track(this.disconnect(channel.memberId, channel.key));
    }
    this.finished = true;
    this.ctx.forget(this);
    const waiters = this.closedWaiters;
    this.closedWaiters = undefined;
    for (const resolve of waiters ?? []) resolve();
  }

  private async disconnect(memberId: number, key: string): Promise<void> {
    try {
      await this.ctx.logic.disconnect({ memberId, key, server: this.ctx.config.id });
    } catch (error) {
      this.ctx.logger.warn({ err: error, key }, "logic.disconnect failed");
    }
  }
}

function byteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.length, 0);
  return data.byteLength;
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}
