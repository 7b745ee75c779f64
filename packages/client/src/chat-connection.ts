import {
  AuthReply,
  AuthRequest,
  DEFAULT_MAX_FRAME_BYTES,
  type Frame,
  HEADER_LENGTH,
  Op,
  ResumeReply,
  ResumeRequest,
  type RoomCursor,
  type RoomResume,
} from "@chatroom/proto/protocol";
import { type BackoffOptions, backoffDelay, DEFAULT_BACKOFF } from "./backoff.ts";
import { AUTH_CLOSE_CODES, ChatClientError, closedError } from "./chat-client-error.ts";
import type { ChatClientEvents, ChatClientOptions, ConnectionState, Me, StateChange } from "./chat-client-types.ts";
import { CLIENT_CLOSE_CODE, FrameSocket, type WebSocketConstructor } from "./frame-socket.ts";
import { Heartbeat } from "./heartbeat.ts";
import type { PendingRequests } from "./pending-requests.ts";
import type { RoomDirectory } from "./room-directory.ts";
import type { RoomSequencer } from "./room-sequencer.ts";
import type { TypedEmitter } from "./typed-emitter.ts";

/** AUTH error codes that mean "log in again", as the close code the comet would have used. */
const AUTH_ERROR_CLOSE_CODES: ReadonlyMap<string, number> = new Map([
  ["unauthorized", 4001],
  ["forbidden", 4001],
  ["token_expired", 4010],
  ["session_revoked", 4010],
]);

export interface ChatConnectionDeps {
  options: ChatClientOptions;
  emitter: TypedEmitter<ChatClientEvents>;
  pending: PendingRequests;
  sequencer: RoomSequencer;
  directory: RoomDirectory;
  /** Push-API ops to send with AUTH (SUB/UNSUB keep it current). */
  accepts: ReadonlySet<number>;
  onFrame(frame: Frame): void;
  /** The RESUME reply arrived (its replayed messages went through onFrame first). */
  onResumed(rooms: RoomResume[]): void;
}

/**
 * The connection lifecycle behind ChatClient: open the socket, AUTH, RESUME, heartbeats, and on an unexpected close
 * reconnect with jittered backoff — except after close() or an auth close code (4001/4010), which stop it for good.
 * States: connecting → authenticating → open, reconnecting between attempts, closed when stopped.
 */
export class ChatConnection {
  readonly #deps: ChatConnectionDeps;
  readonly #options: ChatClientOptions;
  readonly #backoff: BackoffOptions;
  readonly #heartbeat: Heartbeat;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #state: ConnectionState = "closed";
  #socket: FrameSocket | null = null;
  #me: Me | null = null;
  #stopped = true;
  #everOpened = false;
  #attempt = 0;
  #id = 0;
  #closeCode = 0;
  #closeReason = "";
  #waiters: { resolve(): void; reject(error: Error): void }[] = [];

  constructor(deps: ChatConnectionDeps) {
    this.#deps = deps;
    this.#options = deps.options;
    this.#backoff = { ...DEFAULT_BACKOFF, ...deps.options.reconnect };
    this.#heartbeat = new Heartbeat(
      () => this.#socket?.send(Op.HEARTBEAT, deps.pending.nextSeq()),
      () => this.#socket?.close(CLIENT_CLOSE_CODE, "no frames from the server"),
    );
  }

  get state(): ConnectionState {
    return this.#state;
  }
  get member(): Me | null {
    return this.#me;
  }
  /** Changes with every socket, so that late failures of requests made on an earlier one can be told apart. */
  get id(): number {
    return this.#id;
  }
  get closeCode(): number {
    return this.#closeCode;
  }
  get closeReason(): string {
    return this.#closeReason;
  }

  connect(): Promise<void> {
    if (this.#stopped) {
      this.#stopped = false;
      this.#attempt = 0;
      void this.#openSocket();
    }
    return this.#whenOpen();
  }

  async close(): Promise<void> {
    const socket = this.#socket;
    this.#stop(1000, "client closed");
    await socket?.abandon();
  }

  /** Waits for "open", then sends the request; rejects with "disconnected" if the socket drops before the reply. */
  async request(op: number, body: Uint8Array): Promise<Uint8Array> {
    await this.#whenOpen();
    return this.call(op, body);
  }

  /** Sends on the current socket without waiting for "open" (auth, resume and gap fills run before it). */
  call(op: number, body: Uint8Array): Promise<Uint8Array> {
    const maxFrameBytes = this.#options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    if (HEADER_LENGTH + body.length > maxFrameBytes) {
      const message = `frame of ${HEADER_LENGTH + body.length} bytes exceeds ${maxFrameBytes}`;
      return Promise.reject(new ChatClientError("payload_too_large", message, { requestOp: op }));
    }
    const socket = this.#socket;
    if (socket && !socket.isOpen && this.#state === "open") {
      // The socket is closing but its close event has not run yet: handle the loss now, so that callers waiting
      // for "open" (a retried send) wait for the reconnect instead of finding "open" again at once.
      socket.close(1006, "connection lost");
    }
    if (!socket?.isOpen) {
      const code = this.#stopped ? "closed" : "disconnected";
      return Promise.reject(new ChatClientError(code, "not connected", { requestOp: op }));
    }
    const { seq, reply } = this.#deps.pending.add(op, this.#options.requestTimeoutMs ?? 10_000);
    socket.send(op, seq, body);
    return reply;
  }

  /** Runs `callback` after `ms` unless the connection is stopped first. */
  later(ms: number, callback: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      callback();
    }, ms);
    this.#timers.add(timer);
  }

  #whenOpen(): Promise<void> {
    if (this.#state === "open") return Promise.resolve();
    if (this.#stopped) return Promise.reject(this.#closedError());
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  async #openSocket(): Promise<void> {
    this.#setState("connecting", this.#attempt > 0 ? { attempt: this.#attempt } : {});
    const id = this.#id;
    let token: string;
    try {
      const source = this.#options.token ?? "";
      token = typeof source === "function" ? await source() : source;
    } catch (error) {
      this.#emitError(error);
      if (!this.#stopped) this.#reconnectLater(1006, "could not get a token");
      return;
    }
    // close() (and maybe a new connect()) happened while the token was being fetched.
    if (this.#stopped || id !== this.#id) return;
    const ctor = this.#options.WebSocket ?? (globalThis.WebSocket as unknown as WebSocketConstructor | undefined);
    if (!ctor) {
      this.#stop(1006, "no WebSocket implementation: pass options.WebSocket");
      return;
    }
    try {
      const socket: FrameSocket = new FrameSocket(ctor, this.#options.url, {
        onOpen: () => this.#authenticate(socket, token),
        onFrame: (frame) => {
          this.#heartbeat.frameReceived();
          this.#deps.onFrame(frame);
        },
        onClose: (code, reason) => this.#onSocketClose(code, reason),
      });
      this.#socket = socket;
      this.#id++;
    } catch (error) {
      this.#stop(1006, error instanceof Error ? error.message : String(error));
    }
  }

  #authenticate(socket: FrameSocket, token: string): void {
    this.#setState("authenticating", {});
    const request = { token, accepts: [...this.#deps.accepts], client: this.#options.clientName ?? "chatroom-sdk" };
    this.call(Op.AUTH, AuthRequest.encode(request).finish()).then(
      (body) => this.#onAuthenticated(socket, AuthReply.decode(body)),
      (error: unknown) => {
        if (socket !== this.#socket) return;
        const closeCode = error instanceof ChatClientError ? AUTH_ERROR_CLOSE_CODES.get(error.code) : undefined;
        if (closeCode !== undefined) {
          // Refused with an OP_ERROR rather than a close code: stop just the same.
          void socket.abandon();
          this.#stop(closeCode, (error as Error).message);
          return;
        }
        this.#emitError(error);
        socket.close(CLIENT_CLOSE_CODE, "authentication got no reply");
      },
    );
  }

  #onAuthenticated(socket: FrameSocket, reply: AuthReply): void {
    if (socket !== this.#socket) return;
    this.#me = {
      memberId: reply.memberId,
      username: reply.username,
      key: reply.key,
      server: reply.server,
      editWindowMs: reply.messageEditWindowMs ?? 0,
    };
    this.#heartbeat.start(reply.heartbeatIntervalMs > 0 ? reply.heartbeatIntervalMs : 30_000);
    const cursors: RoomCursor[] = this.#deps.directory.reset(reply.rooms, this.#options.resumeFrom ?? "stored");
    this.#deps.sequencer.beginResume(cursors.map((cursor) => cursor.roomId));
    this.call(Op.RESUME, ResumeRequest.encode({ cursors }).finish()).then(
      (body) => this.#onResumed(socket, ResumeReply.decode(body).rooms),
      (error: unknown) => {
        if (socket !== this.#socket) return;
        this.#emitError(error);
        if (error instanceof ChatClientError && error.code === "timeout") {
          socket.close(CLIENT_CLOSE_CODE, "resume got no reply");
          return;
        }
        // The server refused to replay: catch up through HISTORY instead.
        this.#onResumed(
          socket,
          cursors.map((cursor) => ({ roomId: cursor.roomId, replayed: 0, lastSeq: 0, hasMore: true })),
        );
      },
    );
  }

  #onResumed(socket: FrameSocket, rooms: RoomResume[]): void {
    if (socket !== this.#socket) return;
    const reconnected = this.#everOpened;
    this.#everOpened = true;
    this.#attempt = 0;
    this.#deps.onResumed(rooms);
    this.#setState("open", {});
    this.#deps.emitter.emit("resumed", { reconnected, rooms });
    for (const waiter of this.#waiters.splice(0)) waiter.resolve();
  }

  #onSocketClose(code: number, reason: string): void {
    this.#socket = null;
    this.#id++;
    this.#closeCode = code;
    this.#closeReason = reason;
    this.#heartbeat.stop();
    this.#deps.sequencer.connectionLost();
    this.#deps.directory.clearOnline();
    this.#deps.pending.rejectAll(() => new ChatClientError("disconnected", `connection closed: ${code} ${reason}`));
    if (this.#stopped) return;
    if (AUTH_CLOSE_CODES.has(code)) this.#stop(code, reason);
    else this.#reconnectLater(code, reason);
  }

  #reconnectLater(code: number, reason: string): void {
    this.#attempt += 1;
    const delayMs = backoffDelay(this.#attempt - 1, this.#backoff);
    this.#setState("reconnecting", { code, reason, attempt: this.#attempt, delayMs });
    this.later(delayMs, () => {
      if (!this.#stopped) void this.#openSocket();
    });
  }

  #stop(code: number, reason: string): void {
    this.#stopped = true;
    this.#closeCode = code;
    this.#closeReason = reason;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#heartbeat.stop();
    this.#socket = null;
    this.#id++;
    this.#deps.sequencer.connectionLost();
    this.#deps.directory.clearOnline();
    this.#deps.pending.rejectAll(() => this.#closedError());
    if (this.#state !== "closed") this.#setState("closed", { code, reason });
    for (const waiter of this.#waiters.splice(0)) waiter.reject(this.#closedError());
  }

  #closedError(): ChatClientError {
    return closedError(this.#closeCode, this.#closeReason);
  }

  #setState(state: ConnectionState, detail: Omit<StateChange, "state" | "previous">): void {
    const previous = this.#state;
    this.#state = state;
    this.#deps.emitter.emit("state", { ...detail, state, previous });
  }

  #emitError(error: unknown): void {
    this.#deps.emitter.emit("error", error instanceof Error ? error : new Error(String(error)));
  }
}
