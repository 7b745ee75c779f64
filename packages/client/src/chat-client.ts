import {
  AckReply,
  AckRequest,
  ChangeRoomReply,
  ChangeRoomRequest,
  DeleteReply,
  DeleteRequest,
  EditReply,
  EditRequest,
  type HistoryReply,
  JoinReply,
  JoinRequest,
  LeaveReply,
  LeaveRequest,
  ModerateReply,
  ModerateRequest,
  ModerationAction,
  Op,
  type RoomInfo,
  RoomRole,
  SendReply,
  SendRequest,
  SubReply,
  SubRequest,
  TypingReply,
  TypingRequest,
} from "@chatroom/proto/protocol";
import { ChatClientError } from "./chat-client-error.ts";
import type { ChatClientEvents, ChatClientOptions, ConnectionState, Me } from "./chat-client-types.ts";
import { ChatConnection } from "./chat-connection.ts";
import { newClientMsgId } from "./client-msg-id.ts";
import { FrameDispatcher } from "./frame-dispatcher.ts";
import { fetchHistory, type HistoryOptions } from "./history-request.ts";
import { MessageRevisions } from "./message-revisions.ts";
import { PendingRequests } from "./pending-requests.ts";
import { RoomDirectory } from "./room-directory.ts";
import { RoomSequencer } from "./room-sequencer.ts";
import { RoomSync } from "./room-sync.ts";
import { type Listener, TypedEmitter } from "./typed-emitter.ts";
import { TypingTracker } from "./typing-tracker.ts";

/** The least time between two OP_TYPING of this client for one room (the server publishes one per 3 s anyway). */
const TYPING_SEND_INTERVAL_MS = 2500;

/**
 * A chat connection that survives network trouble: it reconnects with jittered backoff, resumes every room where
 * it left off, delivers each message once and in order per room, and retries unacknowledged sends with the same
 * clientMsgId (so they are stored once). See chat-client-types.ts for options and events.
 */
export class ChatClient {
  readonly #emitter = new TypedEmitter<ChatClientEvents>();
  readonly #directory: RoomDirectory;
  readonly #connection: ChatConnection;
  readonly #accepts: Set<number>;
  readonly #typing: TypingTracker;
  readonly #revisions = new MessageRevisions();
  /** When this client last told each room that its member is typing. */
  readonly #typingSent = new Map<string, number>();

  constructor(options: ChatClientOptions) {
    const pending = new PendingRequests();
    const sequencer = new RoomSequencer();
    const emitter = this.#emitter;
    const fillPageSize = options.fillPageSize ?? 200;
    this.#accepts = new Set(options.accepts ?? []);
    const directory = new RoomDirectory(sequencer, emitter, () => this.#connection.member?.memberId ?? 0);
    this.#directory = directory;
    const sync: RoomSync = new RoomSync({
      sequencer,
      directory,
      emitter,
      revisions: this.#revisions,
      fetchAfter: (roomId, afterSeq) =>
        fetchHistory((body) => this.#connection.call(Op.HISTORY, body), roomId, { afterSeq, limit: fillPageSize }),
      connectionId: () => this.#connection.id,
      later: (ms, callback) => this.#connection.later(ms, callback),
    });
    const typing = new TypingTracker(emitter, () => this.#connection.member?.memberId ?? 0);
    this.#typing = typing;
    // Indicators of a lost connection would be stale by the time it is back.
    emitter.on("state", ({ state }) => {
      if (state !== "open") typing.clear();
    });
    const dispatcher = new FrameDispatcher({
      pending,
      emitter,
      directory,
      typing,
      onMessage: (m) => sync.receive(m),
    });
    this.#connection = new ChatConnection({
      options,
      emitter,
      pending,
      sequencer,
      directory,
      accepts: this.#accepts,
      onFrame: (frame) => dispatcher.dispatch(frame),
      onResumed: (rooms) => sync.resumed(rooms),
    });
  }

  get state(): ConnectionState {
    return this.#connection.state;
  }
  /** The authenticated member of the current (or last) connection. */
  get member(): Me | null {
    return this.#connection.member;
  }
  /** The member's rooms by id (AuthReply, JOIN/LEAVE replies, own membership events; lastSeq follows delivery). */
  get rooms(): ReadonlyMap<string, RoomInfo> {
    return this.#directory.rooms;
  }

  /** Unread messages in one of the member's rooms (see RoomDirectory.unread: edits, deletes and own messages aside). */
  unread(roomId: string): number {
    return this.#directory.unread(roomId);
  }
  /** Online member counts by room, from heartbeat replies. */
  get online(): ReadonlyMap<string, number> {
    return this.#directory.online;
  }
  /** Close code of the last socket close (4001/4010 when the client stopped because of its credentials). */
  get closeCode(): number {
    return this.#connection.closeCode;
  }
  get closeReason(): string {
    return this.#connection.closeReason;
  }

  on<K extends keyof ChatClientEvents>(event: K, listener: Listener<ChatClientEvents[K]>): () => void {
    return this.#emitter.on(event, listener);
  }
  off<K extends keyof ChatClientEvents>(event: K, listener: Listener<ChatClientEvents[K]>): void {
    this.#emitter.off(event, listener);
  }

  /**
   * Connects (and keeps reconnecting after failures). Resolves once authenticated and the initial RESUME is
   * answered; rejects when the client closes first (close(), or the server rejected the credentials: code
   * "unauthorized" for 4001, "session_revoked" for 4010).
   */
  connect(): Promise<void> {
    return this.#connection.connect();
  }

  /** Closes for good: no reconnect; pending requests and sends reject with code "closed". */
  close(): Promise<void> {
    return this.#connection.close();
  }

  /** Sends to a room; retried after a reconnect with the same clientMsgId until the server acknowledges it. */
  send(roomId: string, text: string, options: { clientMsgId?: string } = {}): Promise<SendReply> {
    const clientMsgId = options.clientMsgId ?? newClientMsgId();
    return this.#send({ roomId, toMemberId: 0, clientMsgId, text });
  }

  /** Sends to the direct conversation with a member (created on first use); retried like `send`. */
  sendDirect(memberId: number, text: string, options: { clientMsgId?: string } = {}): Promise<SendReply> {
    const clientMsgId = options.clientMsgId ?? newClientMsgId();
    return this.#send({ roomId: "", toMemberId: memberId, clientMsgId, text });
  }

  /**
   * Joins a public room, or a private one the member is invited to (creating it with `create`, invite-only with
   * `private`; the creator owns it); its new messages are delivered from now on.
   */
  async join(roomId: string, options: { create?: boolean; name?: string; private?: boolean } = {}): Promise<RoomInfo> {
    const request: JoinRequest = { roomId, create: options.create ?? false, name: options.name ?? "" };
    if (options.private) request.private = true;
    const reply = JoinReply.decode(await this.#request(Op.JOIN, JoinRequest.encode(request).finish()));
    if (!reply.room) throw new ChatClientError("bad_reply", "JOIN reply without a room", { requestOp: Op.JOIN });
    this.#directory.add(reply.room);
    return reply.room;
  }

  async leave(roomId: string): Promise<void> {
    LeaveReply.decode(await this.#request(Op.LEAVE, LeaveRequest.encode({ roomId }).finish()));
    this.#directory.remove(roomId);
  }

  /** goim's single-room mode: afterwards the connection receives only this room's pushes. */
  async changeRoom(roomId: string): Promise<string> {
    const body = await this.#request(Op.CHANGE_ROOM, ChangeRoomRequest.encode({ roomId }).finish());
    return ChangeRoomReply.decode(body).roomId;
  }

  /** Accept more push-API ops (remembered for reconnects). */
  async sub(ops: readonly number[]): Promise<number[]> {
    const reply = SubReply.decode(await this.#request(Op.SUB, SubRequest.encode({ ops: [...ops] }).finish()));
    for (const op of ops) this.#accepts.add(op);
    return reply.ops;
  }

  async unsub(ops: readonly number[]): Promise<number[]> {
    const reply = SubReply.decode(await this.#request(Op.UNSUB, SubRequest.encode({ ops: [...ops] }).finish()));
    for (const op of ops) this.#accepts.delete(op);
    return reply.ops;
  }

  /** A page of a room's messages, ascending (for scroll-back; not passed through the `message` event). */
  async history(roomId: string, options: HistoryOptions = {}): Promise<HistoryReply> {
    const reply = await fetchHistory((body) => this.#request(Op.HISTORY, body), roomId, options);
    // Its messages show their latest text (or tombstone): the events in it need not be applied again.
    this.#revisions.recordPage(reply.messages);
    return reply;
  }

  /**
   * Changes the text of one's own message `seq` (within the server's edit window). The room — this client included —
   * hears of it as an `edit` event. Retried after a reconnect with the same clientMsgId, like `send`.
   */
  edit(roomId: string, seq: number, text: string, options: { clientMsgId?: string } = {}): Promise<EditReply> {
    const clientMsgId = options.clientMsgId ?? newClientMsgId();
    const body = EditRequest.encode({ roomId, seq, text, clientMsgId }).finish();
    return this.#retried(Op.EDIT, body, (reply) => EditReply.decode(reply));
  }

  /**
   * Deletes message `seq`: one's own within the edit window, any as an owner or moderator. The room hears of it as a
   * `delete` event; deleting a deleted message succeeds (duplicate: the earlier delete).
   */
  delete(roomId: string, seq: number, options: { clientMsgId?: string } = {}): Promise<DeleteReply> {
    const clientMsgId = options.clientMsgId ?? newClientMsgId();
    const body = DeleteRequest.encode({ roomId, seq, clientMsgId }).finish();
    return this.#retried(Op.DELETE, body, (reply) => DeleteReply.decode(reply));
  }

  /**
   * Tells the room that the member is typing. Call it on every keystroke: it sends at most one OP_TYPING per room
   * every TYPING_SEND_INTERVAL_MS (the server coalesces too); a failure is ignored (typing is best effort).
   */
  async typing(roomId: string): Promise<void> {
    const now = Date.now();
    if (now - (this.#typingSent.get(roomId) ?? 0) < TYPING_SEND_INTERVAL_MS || this.state !== "open") return;
    this.#typingSent.set(roomId, now);
    try {
      TypingReply.decode(await this.#request(Op.TYPING, TypingRequest.encode({ roomId }).finish()));
    } catch {
      // Nobody waits for a typing indicator: a refused or lost one is simply not shown.
    }
  }

  /** Others typing in the room right now (the `typing` event tells of every change). */
  typists(roomId: string): Array<{ memberId: number; username: string }> {
    return this.#typing.typists(roomId);
  }

  /**
   * An owner's or moderator's action on a member of a room (or declining one's own invitation); the same rules as
   * the HTTP API. `target` is a member id or a username. The room hears of it as an `event`.
   */
  async moderate(
    roomId: string,
    target: number | string,
    action: ModerationAction,
    options: { role?: RoomRole; durationMs?: number } = {},
  ): Promise<ModerateReply> {
    const body = ModerateRequest.encode({
      roomId,
      memberId: typeof target === "number" ? target : 0,
      username: typeof target === "string" ? target : "",
      action,
      role: options.role ?? RoomRole.ROOM_ROLE_UNSPECIFIED,
      durationMs: options.durationMs ?? 0,
    }).finish();
    return ModerateReply.decode(await this.#request(Op.MODERATE, body));
  }

  /** Owners only: makes a member a moderator, member or owner (or steps the caller down). */
  setRole(roomId: string, target: number | string, role: RoomRole): Promise<ModerateReply> {
    return this.moderate(roomId, target, ModerationAction.MODERATION_ACTION_SET_ROLE, { role });
  }

  kick(roomId: string, target: number | string): Promise<ModerateReply> {
    return this.moderate(roomId, target, ModerationAction.MODERATION_ACTION_KICK);
  }

  /** Keeps the member out until unbanned, or for `durationMs` (0: until lifted). */
  ban(roomId: string, target: number | string, options: { durationMs?: number } = {}): Promise<ModerateReply> {
    return this.moderate(roomId, target, ModerationAction.MODERATION_ACTION_BAN, options);
  }

  unban(roomId: string, target: number | string): Promise<ModerateReply> {
    return this.moderate(roomId, target, ModerationAction.MODERATION_ACTION_UNBAN);
  }

  /** The member may not send or type until unmuted, or for `durationMs` (0: until lifted). */
  mute(roomId: string, target: number | string, options: { durationMs?: number } = {}): Promise<ModerateReply> {
    return this.moderate(roomId, target, ModerationAction.MODERATION_ACTION_MUTE, options);
  }

  unmute(roomId: string, target: number | string): Promise<ModerateReply> {
    return this.moderate(roomId, target, ModerationAction.MODERATION_ACTION_UNMUTE);
  }

  /** Invites a member to a private room (they get an INVITED event and may join once). */
  invite(roomId: string, target: number | string): Promise<ModerateReply> {
    return this.moderate(roomId, target, ModerationAction.MODERATION_ACTION_INVITE);
  }

  /** Withdraws an invitation, or (target: one's own member id) declines it. */
  uninvite(roomId: string, target: number | string): Promise<ModerateReply> {
    return this.moderate(roomId, target, ModerationAction.MODERATION_ACTION_UNINVITE);
  }

  /** Stores the member's read cursor for the room. */
  async ack(roomId: string, seq: number): Promise<void> {
    const reply = AckReply.decode(await this.#request(Op.ACK, AckRequest.encode({ roomId, seq }).finish()));
    this.#directory.acked(roomId, Math.max(seq, reply.seq));
  }

  #request(op: number, body: Uint8Array): Promise<Uint8Array> {
    return this.#connection.request(op, body);
  }

  #send(request: SendRequest): Promise<SendReply> {
    return this.#retried(Op.SEND, SendRequest.encode(request).finish(), (reply) => SendReply.decode(reply));
  }

  /** An idempotent request (it carries a clientMsgId), sent again after each reconnect until answered. */
  async #retried<T>(op: number, body: Uint8Array, decode: (reply: Uint8Array) => T): Promise<T> {
    for (;;) {
      try {
        return decode(await this.#request(op, body));
      } catch (error) {
        // The socket went away before the reply: send again once reconnected; the clientMsgId makes it idempotent.
        if (!(error instanceof ChatClientError && error.code === "disconnected")) throw error;
      }
    }
  }
}
