import type { AddressInfo } from "node:net";
import {
  AckReply,
  AckRequest,
  AuthReply,
  AuthRequest,
  type ChatMessage,
  ChatMessage as ChatMessageCodec,
  decodeFrame,
  encodeFrame,
  encodeRawBatch,
  type Frame,
  HeartbeatReply,
  HistoryReply,
  HistoryRequest,
  Op,
  ResumeReply,
  ResumeRequest,
  type RoomInfo,
  RoomKind,
  SendReply,
  SendRequest,
  SubReply,
  SubRequest,
} from "@chatroom/proto/protocol";
import { type WebSocket, WebSocketServer } from "ws";

/**
 * A scripted stand-in for comet + logic, on a real WebSocket on 127.0.0.1, for the SDK's own tests (the real
 * server is tested end to end elsewhere). One member (id 1), rooms with stored messages, RESUME/HISTORY/SEND/ACK
 * answered like logic does; hooks let a test drop connections or stay silent at chosen moments.
 */
export interface FakeRoom {
  messages: ChatMessage[];
  ackedSeq: number;
}

export interface FakeConnection {
  ws: WebSocket;
  frames: Frame[];
}

export class FakeChatServer {
  readonly rooms = new Map<string, FakeRoom>();
  readonly connections: FakeConnection[] = [];
  readonly tokens = new Set(["good-token"]);
  heartbeatIntervalMs = 30_000;
  resumePageSize = 500;
  /** Answer heartbeats (false simulates a connection that went silent). */
  answerHeartbeats = true;
  /** Called before a request is handled; return true to swallow it. */
  intercept: ((connection: FakeConnection, frame: Frame) => boolean) | null = null;
  readonly #wss: WebSocketServer;

  private constructor(wss: WebSocketServer) {
    this.#wss = wss;
    wss.on("connection", (ws) => this.#accept(ws));
  }

  static async start(): Promise<FakeChatServer> {
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, path: "/ws" });
    await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
    return new FakeChatServer(wss);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.#wss.address() as AddressInfo).port}/ws`;
  }

  room(roomId: string): FakeRoom {
    let room = this.rooms.get(roomId);
    if (!room) {
      room = { messages: [], ackedSeq: 0 };
      this.rooms.set(roomId, room);
    }
    return room;
  }

  /** Stores a message (idempotent by clientMsgId) without pushing it. */
  append(
    roomId: string,
    text: string,
    clientMsgId = `server-${Math.random()}`,
  ): { message: ChatMessage; duplicate: boolean } {
    const room = this.room(roomId);
    const existing = room.messages.find((m) => m.clientMsgId === clientMsgId);
    if (existing) return { message: existing, duplicate: true };
    const seq = room.messages.length + 1;
    const message: ChatMessage = {
      id: `${roomId}#${seq}`,
      roomId,
      seq,
      senderId: 1,
      senderName: "ann",
      text,
      sentAtMs: Date.now(),
      clientMsgId,
      roomKind: RoomKind.ROOM_KIND_PUBLIC,
    };
    room.messages.push(message);
    return { message, duplicate: false };
  }

  /** Pushes a stored message to every open connection, the way job does (an OP_RAW batch). */
  push(message: ChatMessage): void {
    const batch = encodeRawBatch([encodeFrame(Op.MESSAGE, 0, ChatMessageCodec.encode(message).finish())]);
    for (const connection of this.connections) if (connection.ws.readyState === 1) connection.ws.send(batch);
  }

  /** Sends a push-API frame (seq 0) to every open connection. */
  pushOp(op: number, body: Uint8Array): void {
    for (const connection of this.connections)
      if (connection.ws.readyState === 1) connection.ws.send(encodeFrame(op, 0, body));
  }

  /** Frames of one op received on any connection, in order. */
  received(op: number): Frame[] {
    return this.connections.flatMap((c) => c.frames.filter((f) => f.op === op));
  }

  dropAll(code: number, reason = "dropped by test"): void {
    for (const connection of this.connections) if (connection.ws.readyState === 1) connection.ws.close(code, reason);
  }

  async close(): Promise<void> {
    for (const connection of this.connections) connection.ws.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #accept(ws: WebSocket): void {
    const connection: FakeConnection = { ws, frames: [] };
    this.connections.push(connection);
    ws.on("message", (data: Buffer) => {
      const frame = decodeFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      connection.frames.push(frame);
      if (this.intercept?.(connection, frame)) return;
      this.#handle(connection, frame);
    });
  }

  #handle(connection: FakeConnection, frame: Frame): void {
    const reply = (op: number, body: Uint8Array) => connection.ws.send(encodeFrame(op, frame.seq, body));
    switch (frame.op) {
      case Op.AUTH: {
        const request = AuthRequest.decode(frame.body);
        if (!this.tokens.has(request.token)) {
          connection.ws.close(4001, "unauthorized");
          return;
        }
        const rooms = [...this.rooms].map(([roomId, room]) => this.#info(roomId, room));
        const body = AuthReply.encode({
          memberId: 1,
          username: "ann",
          key: `key-${this.connections.length}`,
          heartbeatIntervalMs: this.heartbeatIntervalMs,
          rooms,
          server: "fake",
        });
        reply(Op.AUTH_REPLY, body.finish());
        return;
      }
      case Op.HEARTBEAT:
        if (this.answerHeartbeats) {
          const online = [...this.rooms.keys()].map((roomId) => ({ roomId, count: 1 }));
          reply(Op.HEARTBEAT_REPLY, HeartbeatReply.encode({ online }).finish());
        }
        return;
      case Op.RESUME: {
        const { cursors } = ResumeRequest.decode(frame.body);
        const replayed: Uint8Array[] = [];
        const rooms = cursors.flatMap((cursor) => {
          const room = this.rooms.get(cursor.roomId);
          if (!room) return [];
          const from = cursor.lastSeq === -1 ? room.ackedSeq : cursor.lastSeq;
          const missed = room.messages.filter((m) => m.seq > from);
          const page = missed.slice(0, this.resumePageSize);
          for (const m of page) replayed.push(encodeFrame(Op.MESSAGE, 0, ChatMessageCodec.encode(m).finish()));
          const lastSeq = room.messages.length;
          return [{ roomId: cursor.roomId, replayed: page.length, lastSeq, hasMore: missed.length > page.length }];
        });
        if (replayed.length > 0) connection.ws.send(encodeRawBatch(replayed));
        reply(Op.RESUME_REPLY, ResumeReply.encode({ rooms }).finish());
        return;
      }
      case Op.HISTORY: {
        const request = HistoryRequest.decode(frame.body);
        const all = this.rooms.get(request.roomId)?.messages ?? [];
        const limit = request.limit > 0 ? Math.min(request.limit, 200) : 50;
        let messages: ChatMessage[];
        let hasMore: boolean;
        const afterSeq = request.afterSeq;
        if (afterSeq !== undefined) {
          const after = all.filter((m) => m.seq > afterSeq);
          messages = after.slice(0, limit);
          hasMore = after.length > limit;
        } else {
          const before = all.filter((m) => request.beforeSeq === 0 || m.seq < request.beforeSeq);
          messages = before.slice(-limit);
          hasMore = before.length > limit;
        }
        reply(Op.HISTORY_REPLY, HistoryReply.encode({ roomId: request.roomId, messages, hasMore }).finish());
        return;
      }
      case Op.SEND: {
        const request = SendRequest.decode(frame.body);
        const result = this.append(request.roomId, request.text, request.clientMsgId);
        reply(Op.SEND_REPLY, SendReply.encode(result).finish());
        this.push(result.message);
        return;
      }
      case Op.SUB:
      case Op.UNSUB: {
        const { ops } = SubRequest.decode(frame.body);
        reply(frame.op + 1, SubReply.encode({ ops }).finish());
        return;
      }
      case Op.ACK: {
        const request = AckRequest.decode(frame.body);
        this.room(request.roomId).ackedSeq = request.seq;
        reply(Op.ACK_REPLY, AckReply.encode(request).finish());
        return;
      }
      default:
        connection.ws.close(1002, `unexpected op ${frame.op}`);
    }
  }

  #info(roomId: string, room: FakeRoom): RoomInfo {
    return {
      roomId,
      name: roomId,
      kind: RoomKind.ROOM_KIND_PUBLIC,
      lastSeq: room.messages.length,
      peerMemberId: 0,
      peerUsername: "",
      ackedSeq: room.ackedSeq,
      online: 0,
    };
  }
}
