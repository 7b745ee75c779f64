import { once } from "node:events";
import { AuthReply, AuthRequest, decodeFrame, encodeFrame, type Frame, Op } from "@chatroom/proto/protocol";
import { WebSocket } from "ws";

const TIMEOUT_MS = 10_000;

/**
 * A bare protocol client for tests that need what the SDK never does (skip heartbeats, pipeline floods, send
 * garbage bodies): frames in, frames out, and the close code.
 */
export class RawClient {
  readonly ws: WebSocket;
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly frames: Frame[] = [];
  private waiter: (() => void) | undefined;
  private nextSeq = 1;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    this.closed = new Promise((resolve) => {
      ws.on("close", (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.waiter?.();
      });
    });
    ws.on("error", () => {});
    ws.on("message", (data: Buffer) => {
      const frame = decodeFrame(new Uint8Array(data), Number.MAX_SAFE_INTEGER);
      if (frame.op === Op.RAW) {
        // An OP_RAW batch: its frames one by one, as the SDK sees them.
        let offset = 0;
        while (offset < frame.body.length) {
          const view = new DataView(frame.body.buffer, frame.body.byteOffset + offset);
          const length = view.getInt32(0);
          this.frames.push(decodeFrame(frame.body.subarray(offset, offset + length), Number.MAX_SAFE_INTEGER));
          offset += length;
        }
      } else {
        this.frames.push(frame);
      }
      this.waiter?.();
    });
  }

  /** Opens a socket (with extra upgrade headers, e.g. Origin) and waits until it is open. */
  static async open(url: string, headers: Record<string, string> = {}): Promise<RawClient> {
    const client = new RawClient(new WebSocket(url, { headers }));
    await once(client.ws, "open");
    return client;
  }

  /** Opens a socket and authenticates it with a session token. */
  static async login(
    url: string,
    token: string,
    accepts: number[] = [],
  ): Promise<{ client: RawClient; reply: AuthReply }> {
    const client = await RawClient.open(url);
    const seq = client.send(Op.AUTH, AuthRequest.encode({ token, accepts, client: "raw-test" }).finish());
    const frame = await client.reply(seq);
    if (frame.op !== Op.AUTH_REPLY) throw new Error(`AUTH answered with op ${frame.op}`);
    return { client, reply: AuthReply.decode(frame.body) };
  }

  /** Sends a frame with the next request seq (or the one given) and returns that seq. */
  send(op: number, body: Uint8Array = new Uint8Array(0), seq = this.nextSeq++): number {
    this.ws.send(encodeFrame(op, seq, body));
    return seq;
  }

  /** The frame answering request `seq` (its reply or OP_ERROR). */
  reply(seq: number): Promise<Frame> {
    return this.take((f) => f.seq === seq, `a reply to seq ${seq}`);
  }

  /** The next server push (seq 0) of `op`. */
  push(op: number): Promise<Frame> {
    return this.take((f) => f.seq === 0 && f.op === op, `a push of op ${op}`);
  }

  /** Frames received and not taken yet. */
  get pending(): readonly Frame[] {
    return this.frames;
  }

  close(): void {
    this.ws.terminate();
  }

  private async take(matches: (frame: Frame) => boolean, what: string): Promise<Frame> {
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      const index = this.frames.findIndex(matches);
      if (index >= 0) return this.frames.splice(index, 1)[0] as Frame;
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error(`socket closed before ${what}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.waiter = () => {
          clearTimeout(timer);
          this.waiter = undefined;
          resolve();
        };
      });
    }
  }
}
