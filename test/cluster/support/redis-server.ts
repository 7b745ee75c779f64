import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { freePort } from "@chatroom/core/net";

/**
 * A redis-server of one test's own (not the shared one of scripts/infra/redis.sh), so the test can kill it and
 * start an empty one on the same port without disturbing other tests: no persistence, loopback only.
 */
export class RedisServer {
  readonly port: number;
  #child: ChildProcess | null = null;
  #exited: Promise<void> = Promise.resolve();

  private constructor(port: number) {
    this.port = port;
  }

  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort());
    await server.start();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    const child = this.#child;
    return child !== null && child.exitCode === null && child.signalCode === null;
  }

  /** Starts redis-server on this port (again: with no data) and resolves once it answers PING. */
  async start(timeoutMs = 15_000): Promise<void> {
    if (this.running) return;
    const args = ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
    const child = spawn("redis-server", [...args, "--dir", tmpdir(), "--logfile", ""], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    this.#child = child;
    this.#exited = once(child, "exit").then(() => {});
    const deadline = Date.now() + timeoutMs;
    while (!(await ping(this.port))) {
      if (!this.running) throw new Error(`redis-server on ${this.port} exited at start:\n${output}`);
      if (Date.now() > deadline) throw new Error(`redis-server on ${this.port} did not answer PING:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** SIGKILL: the data is gone with the process. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.#child?.kill("SIGKILL");
    await this.#exited;
  }

  stop(): Promise<void> {
    return this.kill();
  }
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let reply = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on("error", () => done(false));
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      reply += chunk.toString();
      if (reply.includes("\r\n")) done(reply.startsWith("+PONG"));
    });
  });
}
