import { once } from "node:events";
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";

/**
 * A loopback TCP relay in front of a server (MySQL, Redis, …) that a test can cut and restore to simulate an
 * outage: cut() refuses new connections and destroys the relayed ones (both ends), restore() listens again on the
 * same port, so clients configured with the proxy's address reconnect to the real server.
 */
export class TcpProxy {
  readonly #target: { host: string; port: number };
  readonly #sockets = new Set<Socket>();
  #server: Server | null = null;
  #port = 0;

  constructor(target: { host: string; port: number }) {
    this.#target = target;
  }

  /** The listening port (fixed by the first start(); restore() reuses it). */
  get port(): number {
    return this.#port;
  }

  get host(): string {
    return "127.0.0.1";
  }

  get listening(): boolean {
    return this.#server !== null;
  }

  /** Starts listening on an ephemeral port (first call) or the same port again. */
  async start(): Promise<void> {
    if (this.#server) return;
    const server = createServer((client) => this.#relay(client));
    server.listen(this.#port, this.host);
    await once(server, "listening");
    this.#server = server;
    this.#port = (server.address() as AddressInfo).port;
  }

  /** The outage: the port refuses connections and every relayed connection is cut at once. */
  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    await closed;
  }

  /** The end of the outage: listens again on the same port. */
  restore(): Promise<void> {
    return this.start();
  }

  close(): Promise<void> {
    return this.cut();
  }

  #relay(client: Socket): void {
    const upstream = connect(this.#target.port, this.#target.host);
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket);
      socket.setNoDelay(true);
      socket.on("error", () => {});
      socket.on("close", () => {
        this.#sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  }
}
