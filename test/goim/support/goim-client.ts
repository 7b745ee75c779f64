/**
 * A goim-style WebSocket client for the conformance tests, written for chatroom (not a copy of goim's code) to behave
 * on the wire exactly as goim's examples/javascript/client.js: it opens `…/sub` with binaryType arraybuffer, sends
 * OP_AUTH (7, seq 1) with goim's JSON token, and on OP_AUTH_REPLY (8) sends OP_HEARTBEAT (2, seq 1, empty) at once
 * and then every 30 s; it reads OP_HEARTBEAT_REPLY (3), unpacks OP_RAW (9) batches frame by frame and takes any
 * other op's body as a message — each body as UTF-8 text. It uses the WHATWG WebSocket a browser has (Node's
 * global one). Beyond client.js it can send goim's OP_CHANGE_ROOM (12), OP_SUB (14) and OP_UNSUB (16), whose
 * bodies goim defines as strings.
 */

const HEADER = 16;
const HEARTBEAT_INTERVAL_MS = 30 * 1000;
const WAIT_MS = 10_000;

/** goim's auth token fields (logic/conn.go). */
export interface GoimToken {
  mid?: number;
  key?: string;
  room_id?: string;
  platform?: string;
  accepts?: number[];
}

/** One frame as client.js reports it: header fields and the body decoded as text. */
export interface GoimMessage {
  ver: number;
  op: number;
  seq: number;
  body: string;
  /** The raw body bytes (OP_HEARTBEAT_REPLY carries a binary count). */
  bytes: Uint8Array;
  /** True when it came inside an OP_RAW batch. */
  batched: boolean;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function frame(op: number, seq: number, body: Uint8Array = new Uint8Array(0)): ArrayBuffer {
  const buffer = new ArrayBuffer(HEADER + body.byteLength);
  const view = new DataView(buffer);
  view.setInt32(0, HEADER + body.byteLength);
  view.setInt16(4, HEADER);
  view.setInt16(6, 1);
  view.setInt32(8, op);
  view.setInt32(12, seq);
  new Uint8Array(buffer).set(body, HEADER);
  return buffer;
}

export class GoimClient {
  /** Every frame received, in order (batches unpacked), OP_AUTH_REPLY and heartbeat replies included. */
  readonly received: GoimMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly ws: WebSocket;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private readonly waiters = new Set<() => void>();
  private closeInfo: { code: number; reason: string } | undefined;

  private constructor(url: string, token: GoimToken | string) {
    this.ws = new WebSocket(url);
    this.ws.binaryType = "arraybuffer";
    this.ws.onopen = () => this.auth(token);
    this.ws.onmessage = (event) => this.onMessage(event.data as ArrayBuffer);
    this.closed = new Promise((resolve) => {
      this.ws.onclose = (event) => {
        clearInterval(this.heartbeatTimer);
        this.closeInfo = { code: event.code, reason: event.reason };
        resolve(this.closeInfo);
        this.wake();
      };
    });
    this.ws.onerror = () => {};
  }

  /** Connects and authenticates; resolves once OP_AUTH_REPLY arrived (rejects with the close when refused). */
  static async connect(url: string, token: GoimToken | string): Promise<GoimClient> {
    const client = new GoimClient(url, token);
    await client.next((m) => m.op === 8, "OP_AUTH_REPLY");
    return client;
  }

  /** Opens and authenticates without waiting: for tests of refused connections (see `closed`). */
  static open(url: string, token: GoimToken | string): GoimClient {
    return new GoimClient(url, token);
  }

  /** OP_HEARTBEAT, as client.js sends it (seq 1, no body). */
  heartbeat(): void {
    this.ws.send(frame(2, 1));
  }

  /** The online count of the next heartbeat reply (goim: the room's count, 4 bytes big-endian). */
  async heartbeatCount(): Promise<number> {
    const from = this.received.length;
    this.heartbeat();
    const reply = await this.next((m) => m.op === 3, "OP_HEARTBEAT_REPLY", from);
    if (reply.bytes.byteLength !== 4) throw new Error(`heartbeat reply of ${reply.bytes.byteLength} bytes, not 4`);
    return new DataView(reply.bytes.buffer, reply.bytes.byteOffset, 4).getInt32(0);
  }

  /** Sends a frame with a goim string body and returns the reply (the same seq, any op). */
  async request(op: number, body: string, seq: number): Promise<GoimMessage> {
    const from = this.received.length;
    this.ws.send(frame(op, seq, encoder.encode(body)));
    return this.next((m) => m.seq === seq && !m.batched, `a reply to op ${op} seq ${seq}`, from);
  }

  changeRoom(room: string, seq = 2): Promise<GoimMessage> {
    return this.request(12, room, seq);
  }

  sub(ops: string, seq = 3): Promise<GoimMessage> {
    return this.request(14, ops, seq);
  }

  unsub(ops: string, seq = 4): Promise<GoimMessage> {
    return this.request(16, ops, seq);
  }

  /** Pushes received (seq 0, not heartbeat or auth replies), in order. */
  pushes(): GoimMessage[] {
    return this.received.filter((m) => m.seq === 0 && m.op !== 3 && m.op !== 8);
  }

  /**
   * The first message from index `from` on that matches, waiting for it. Tests use a sentinel push (sent after
   * what must not arrive, on the same path) so that "did not arrive" is read after the sentinel, never after a
   * sleep.
   */
  async next(matches: (m: GoimMessage) => boolean, what: string, from = 0): Promise<GoimMessage> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const found = this.received.slice(from).find(matches);
      if (found) return found;
      if (this.closeInfo) throw new Error(`closed (${this.closeInfo.code} ${this.closeInfo.reason}) before ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${WAIT_MS} ms`);
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, left);
        this.waiters.add(done);
      });
    }
  }

  /** The next push with this body, waiting for it. */
  push(body: string): Promise<GoimMessage> {
    return this.next((m) => m.seq === 0 && m.body === body, `a push "${body}"`);
  }

  close(): void {
    clearInterval(this.heartbeatTimer);
    this.ws.close();
  }

  private auth(token: GoimToken | string): void {
    const body = encoder.encode(typeof token === "string" ? token : JSON.stringify(token));
    this.ws.send(frame(7, 1, body));
  }

  private onMessage(data: ArrayBuffer): void {
    const view = new DataView(data);
    const packetLength = view.getInt32(0);
    const headerLength = view.getInt16(4);
    const op = view.getInt32(8);
    if (op === 9) {
      // A batch: frames one after the other, each with its own header (client.js walks them the same way).
      for (let offset = HEADER; offset < data.byteLength; ) {
        const length = view.getInt32(offset);
        this.record(data, offset, length, true);
        offset += length;
      }
    } else {
      this.record(data, 0, packetLength, false, headerLength);
    }
    if (op === 8) {
      // client.js: auth reply ok → a heartbeat at once, then every 30 s.
      this.heartbeat();
      this.heartbeatTimer = setInterval(() => this.heartbeat(), HEARTBEAT_INTERVAL_MS);
    }
    this.wake();
  }

  private record(data: ArrayBuffer, offset: number, length: number, batched: boolean, headerLength = HEADER): void {
    const view = new DataView(data, offset, length);
    const bytes = new Uint8Array(data.slice(offset + headerLength, offset + length));
    this.received.push({
      ver: view.getInt16(6),
      op: view.getInt32(8),
      seq: view.getInt32(12),
      body: decoder.decode(bytes),
      bytes,
      batched,
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
