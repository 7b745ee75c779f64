import { type ChatError, isChatError, type LogicApi } from "@chatroom/core";
import type { ConnectResponse } from "@chatroom/proto/grpc";
import { decodeFrame, encodeFrame, type Frame, FrameError, Op } from "@chatroom/proto/protocol";
import type { RawData, WebSocket } from "ws";
import type { Buckets } from "./buckets.ts";
import { Channel } from "./channel.ts";
import { CloseCode, closeReason } from "./close-codes.ts";
import type { CometConfig } from "./config.ts";
import type { ConnectionDialect } from "./dialect.ts";
import { encodeProto } from "./encode-proto.ts";
import { errorFrame } from "./error-frame.ts";
import type { CometLogger } from "./logger.ts";
import { runAt, type TimerHandle } from "./long-timeout.ts";
import type { MemberRates } from "./member-rates.ts";
import type { CometMetrics } from "./metrics/comet-metrics.ts";
import type { OnlineCounts } from "./online-counts.ts";
import { applyReceiveResult, checkAccepts } from "./receive-result.ts";
import { RequestRate } from "./request-rate.ts";
import { SerialQueue } from "./serial-queue.ts";

/** What every connection of a comet shares. */
export interface ConnectionContext {
  config: CometConfig;
  logic: LogicApi;
  buckets: Buckets;
  online: OnlineCounts;
  /** Frame budgets shared by each member's connections on this comet. */
  memberRates: MemberRates;
  logger: CometLogger;
  metrics: CometMetrics;
  /** Keeps a logic call that close() must wait for (disconnects). */
  track(promise: Promise<unknown>): void;
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
 */
export class WsConnection {
  /** Resolves once the socket is closed and the connection unregistered. */
  readonly closed: Promise<void>;
  private readonly ws: WebSocket;
  /** The upgrade request's Cookie header, kept only until AUTH (the request itself is not retained). */
  private cookie: string;
  private readonly rate: RequestRate;
  private readonly ctx: ConnectionContext;
  /** chatroom's protobuf bodies or goim's, chosen by the listener path the client connected to. */
  private readonly dialect: ConnectionDialect;
  private readonly queue: SerialQueue;
  private channel: Channel | undefined;
  private authSeen = false;
  private closing = false;
  private paused = false;
  private lastReceivedAt = Date.now();
  private lastRenewAt = 0;
  private heartbeatMs: number;
  private authTimer: TimerHandle | undefined;
  private reaper: TimerHandle | undefined;
  private expiry: TimerHandle | undefined;
  private resolveClosed!: () => void;

  constructor(ws: WebSocket, cookie: string, ctx: ConnectionContext, dialect: ConnectionDialect) {
    this.ws = ws;
    this.dialect = dialect;
    this.cookie = cookie;
    this.rate = new RequestRate(ctx.config.requestRateCapacity, ctx.config.requestRateRefillPerSecond);
    this.ctx = ctx;
    this.heartbeatMs = ctx.config.heartbeatIntervalMs;
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    this.queue = new SerialQueue({
      onError: (error) => ctx.logger.error({ err: error }, "request handling failed"),
      afterEach: () => this.resumeIfReady(),
    });
    ws.on("message", (data, isBinary) => this.onMessage(data, isBinary));
    ws.on("error", (error) => ctx.logger.debug({ err: error }, "websocket error"));
    ws.on("close", (code, reason) => {
      ctx.logger.debug({ key: this.channel?.key, code, reason: reason.toString() }, "connection closed");
      ctx.metrics.disconnected(code);
      this.onClose();
    });
    this.authTimer = runAt(Date.now() + ctx.config.authTimeoutMs, () => {
      ctx.metrics.authFailed("timeout");
      this.close(CloseCode.AUTH_TIMEOUT, "auth timeout");
    });
    ctx.metrics.connected();
  }

  /** Starts the close handshake; later frames are ignored. */
  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.queue.clear();
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

  private onMessage(data: RawData, isBinary: boolean): void {
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
        this.rate.retryAfterMs(),
        this.channel ? this.ctx.memberRates.retryAfterMs(this.channel.memberId) : 0,
      );
      this.queue.push(async () => this.refuse(frame, retryAfterMs));
    } else {
      this.queue.push(() => this.handle(frame));
    }
    if (!this.paused && this.queue.size >= this.ctx.config.maxPendingRequests) {
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

  private resumeIfReady(): void {
    if (this.paused && this.queue.size < this.ctx.config.maxPendingRequests) {
      this.paused = false;
      this.ws.resume();
    }
  }

  /** One frame's tokens: the connection's, then (once authenticated) the member's on this comet. */
  private spend(): "allow" | "refuse" | "close" {
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
    this.authTimer?.cancel();
    const channel = new Channel({
      key,
      memberId,
      sessionId: response.sessionId,
      accepts: response.accepts,
      dialect: this.dialect.name,
      socket: this.ws,
      limits: { sendQueueMax: config.sendQueueMax, maxBufferedBytes: config.maxBufferedBytes },
      onSlowConsumer: () => this.ctx.metrics.slowConsumerClosed(),
    });
    this.channel = channel;
    buckets.put(channel)?.close(CloseCode.NORMAL, "replaced by a new connection");
    for (const roomId of response.roomIds) buckets.join(channel, roomId);
    this.heartbeatMs = response.heartbeatMs > 0 ? response.heartbeatMs : config.heartbeatIntervalMs;
    this.lastRenewAt = Date.now();
    logger.debug({ memberId, key, rooms: response.roomIds.length }, "connection authenticated");
    this.write(channel, Op.AUTH_REPLY, encodeFrame(Op.AUTH_REPLY, frame.seq, this.dialect.authReply(response)));
    this.armReaper();
    if (response.expiresAtMs > 0) {
      this.expiry = runAt(response.expiresAtMs, () => this.close(CloseCode.SESSION_EXPIRED, "session expired"));
    }
  }

  /** Closes the connection once nothing was received for 2 heartbeat intervals plus the grace. */
  private armReaper(): void {
    const timeoutMs = 2 * this.heartbeatMs + this.ctx.config.heartbeatGraceMs;
    this.reaper = runAt(this.lastReceivedAt + timeoutMs, () => {
      if (Date.now() - this.lastReceivedAt >= timeoutMs) this.close(CloseCode.HEARTBEAT_TIMEOUT, "heartbeat timeout");
      else this.armReaper();
    });
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

  private onClose(): void {
    this.closing = true;
    this.queue.clear();
    for (const timer of [this.authTimer, this.reaper, this.expiry]) timer?.cancel();
    const channel = this.channel;
    // A channel replaced by a newer one with the same key is no longer registered; its presence is the new one's.
    if (channel && this.ctx.buckets.remove(channel)) {
      this.ctx.track(this.disconnect(channel.memberId, channel.key));
    }
    this.resolveClosed();
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
