import WebSocket from "ws";

export interface CentrifugoClientOptions {
  /** ws://host:port/connection/websocket */
  url: string;
  /** Connection JWT. */
  token: string;
  /** Channels subscribed right after connecting. */
  channels: readonly string[];
  localAddress: string;
  timeoutMs: number;
  onPublication?(channel: string, data: unknown): void;
  /** The connection ended without close() (code as the server or the socket gave it). */
  onLost?(code: number): void;
}

interface Reply {
  id?: number;
  error?: { code: number; message: string };
  push?: { channel?: string; pub?: { data?: unknown }; disconnect?: { code: number; reason: string } };
}

/**
 * A minimal client of Centrifugo's bidirectional protocol (v2, JSON format) over `ws`, as its SDKs speak it: a
 * command `{"id": n, "<method>": {…}}` gets the reply with the same id; several messages may share a frame, one per
 * line; the server pings with `{}` and wants `{}` back; publications arrive as `{"push": {"channel", "pub"}}`.
 */
export class CentrifugoClient {
  readonly #ws: WebSocket;
  readonly #options: CentrifugoClientOptions;
  readonly #pending = new Map<number, { resolve(reply: Reply): void; reject(error: Error): void }>();
  #nextId = 1;
  #closing = false;

  private constructor(options: CentrifugoClientOptions) {
    this.#options = options;
    this.#ws = new WebSocket(options.url, { localAddress: options.localAddress, perMessageDeflate: false });
    this.#ws.on("message", (data) => this.#receive(data.toString()));
    this.#ws.on("close", (code) => {
      const error = new Error(`connection closed (${code})`);
      for (const waiter of this.#pending.values()) waiter.reject(error);
      this.#pending.clear();
      if (!this.#closing) this.#options.onLost?.(code);
    });
    this.#ws.on("error", () => {});
  }

  /** Opens the connection, authenticates and subscribes; rejects on an error reply or after timeoutMs. */
  static async connect(options: CentrifugoClientOptions): Promise<CentrifugoClient> {
    const client = new CentrifugoClient(options);
    const timer = setTimeout(() => client.#ws.terminate(), options.timeoutMs);
    try {
      await new Promise<void>((resolve, reject) => {
        client.#ws.once("open", () => resolve());
        client.#ws.once("close", (code) => reject(new Error(`connection closed (${code}) before it opened`)));
      });
      await client.#command({ connect: { token: options.token, name: "bench" } });
      await Promise.all(options.channels.map((channel) => client.#command({ subscribe: { channel } })));
      return client;
    } catch (error) {
      client.close();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  get open(): boolean {
    return this.#ws.readyState === WebSocket.OPEN;
  }

  /** Publishes into a channel this client is subscribed to; resolves with the server's acknowledgement. */
  async publish(channel: string, data: unknown): Promise<void> {
    await this.#command({ publish: { channel, data } });
  }

  close(): void {
    this.#closing = true;
    this.#ws.close();
  }

  #command(body: object): Promise<Reply> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, {
        resolve: (reply) =>
          reply.error ? reject(new Error(`centrifugo ${reply.error.code}: ${reply.error.message}`)) : resolve(reply),
        reject,
      });
      this.#ws.send(JSON.stringify({ id, ...body }));
    });
  }

  #receive(frame: string): void {
    for (const line of frame.split("\n")) {
      if (line === "") continue;
      const reply = JSON.parse(line) as Reply;
      if (reply.id) {
        const waiter = this.#pending.get(reply.id);
        this.#pending.delete(reply.id);
        waiter?.resolve(reply);
      } else if (reply.push?.pub && reply.push.channel !== undefined) {
        this.#options.onPublication?.(reply.push.channel, reply.push.pub.data);
      } else if (!reply.push) {
        // `{}`: the server's ping.
        this.#ws.send("{}");
      }
    }
  }
}
