import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePorts } from "@chatroom/core/net";

/** The broker jars fetched by scripts/infra/kafka.sh (`kafkaService()` installs them on first use). */
const ROOT = resolve(import.meta.dirname, "../../..");
const LIBS = resolve(ROOT, ".tools/kafka/libs");

/** The shared Kafka may come from KAFKA_BROKERS, so the jars may not be here yet: fetch them as kafka.sh does. */
function installKafkaJars(): Promise<void> {
  return new Promise((resolveInstall, reject) => {
    execFile(
      "bash",
      [resolve(ROOT, "scripts/infra/kafka.sh"), "install"],
      { maxBuffer: 16 * 1024 * 1024 },
      (error, _out, err) => {
        if (error) reject(new Error(`could not install Kafka's jars (scripts/infra/kafka.sh install): ${err}`));
        else resolveInstall();
      },
    );
  });
}

/**
 * A single-node KRaft broker of one test's own, in a temporary folder (the shared broker of scripts/infra/kafka.sh
 * has one fixed data folder and port, and advertises its own address, so it can neither be proxied nor stopped for
 * one test). kill() and start() again keep the data: topics and committed offsets survive the outage.
 */
/** A SCRAM-SHA-512 user the broker's client listener requires (as a Strimzi listener with scram-sha-512 does). */
export interface ScramUser {
  username: string;
  password: string;
}

export class KafkaBroker {
  readonly port: number;
  readonly #controllerPort: number;
  readonly #dir: string;
  /** With SCRAM: the inter-broker listener stays plaintext on its own port, clients must authenticate. */
  #scram: { user: ScramUser; internalPort: number } | null = null;
  #child: ChildProcess | null = null;
  #exited: Promise<void> = Promise.resolve();

  private constructor(port: number, controllerPort: number, dir: string) {
    this.port = port;
    this.#controllerPort = controllerPort;
    this.#dir = dir;
  }

  /** Formats a new data folder and starts the broker; resolves once it answers ApiVersions. */
  static async start(options: { scram?: ScramUser } = {}): Promise<KafkaBroker> {
    if (!existsSync(LIBS)) await installKafkaJars();
    const [port, controllerPort, internalPort] = await freePorts(3);
    const broker = new KafkaBroker(
      port as number,
      controllerPort as number,
      mkdtempSync(join(tmpdir(), "chatroom-kafka-")),
    );
    if (options.scram) broker.#scram = { user: options.scram, internalPort: internalPort as number };
    broker.#writeConfig();
    await broker.#format();
    await broker.start();
    return broker;
  }

  get brokers(): string[] {
    return [`127.0.0.1:${this.port}`];
  }

  get running(): boolean {
    const child = this.#child;
    return child !== null && child.exitCode === null && child.signalCode === null;
  }

  async start(timeoutMs = 120_000): Promise<void> {
    if (this.running) return;
    const log = createWriteStream(join(this.#dir, "kafka.log"), { flags: "a" });
    const child = spawn("java", [...this.#javaOptions(), "-cp", `${LIBS}/*`, "kafka.Kafka", this.#properties], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    this.#child = child;
    this.#exited = once(child, "exit").then(() => {});
    const deadline = Date.now() + timeoutMs;
    while (!(await apiVersionsAnswered(this.#scram?.internalPort ?? this.port))) {
      if (!this.running) throw new Error(`the test's Kafka broker exited at start:\n${this.#logTail()}`);
      if (Date.now() > deadline) {
        await this.kill();
        throw new Error(`the test's Kafka broker did not answer within ${timeoutMs} ms:\n${this.#logTail()}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** SIGKILL: the broker disappears as in a crash (its data folder stays). */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.#child?.kill("SIGKILL");
    await this.#exited;
  }

  /** Kills the broker and deletes its data folder. */
  async destroy(): Promise<void> {
    await this.kill();
    rmSync(this.#dir, { recursive: true, force: true });
  }

  get #properties(): string {
    return join(this.#dir, "server.properties");
  }

  #javaOptions(): string[] {
    return ["-Xms128m", "-Xmx384m", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-Djava.awt.headless=true"];
  }

  /** As scripts/infra/kafka.sh writes it, on this broker's ports and folder. */
  #writeConfig(): void {
    const lines = [
      "process.roles=broker,controller",
      "node.id=1",
      `controller.quorum.voters=1@127.0.0.1:${this.#controllerPort}`,
      ...this.#listeners(),
      "controller.listener.names=CONTROLLER",
      "inter.broker.listener.name=PLAINTEXT",
      `log.dirs=${join(this.#dir, "logs")}`,
      "auto.create.topics.enable=false",
      "num.partitions=1",
      "default.replication.factor=1",
      "min.insync.replicas=1",
      "offsets.topic.replication.factor=1",
      "offsets.topic.num.partitions=4",
      "transaction.state.log.replication.factor=1",
      "transaction.state.log.min.isr=1",
      "transaction.state.log.num.partitions=2",
      "share.coordinator.state.topic.replication.factor=1",
      "share.coordinator.state.topic.min.isr=1",
      "group.initial.rebalance.delay.ms=0",
      "group.min.session.timeout.ms=1000",
    ];
    writeFileSync(this.#properties, `${lines.join("\n")}\n`);
  }

  #listeners(): string[] {
    const controller = `CONTROLLER://127.0.0.1:${this.#controllerPort}`;
    if (!this.#scram) {
      return [
        `listeners=PLAINTEXT://127.0.0.1:${this.port},${controller}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${this.port}`,
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
      ];
    }
    const internal = `PLAINTEXT://127.0.0.1:${this.#scram.internalPort}`;
    const clients = `SASL_PLAINTEXT://127.0.0.1:${this.port}`;
    return [
      `listeners=${internal},${clients},${controller}`,
      `advertised.listeners=${internal},${clients}`,
      "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT",
      "sasl.enabled.mechanisms=SCRAM-SHA-512",
      "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;",
    ];
  }

  #format(): Promise<void> {
    // base64url may start with '-': passed as --cluster-id=<id>, never as an option of its own.
    const clusterId = randomBytes(16).toString("base64url");
    const args = [...this.#javaOptions(), "-cp", `${LIBS}/*`, "kafka.tools.StorageTool", "format"];
    // KRaft stores SCRAM credentials in its metadata: the user is created when the storage is formatted.
    if (this.#scram) {
      const { username, password } = this.#scram.user;
      args.push("--add-scram", `SCRAM-SHA-512=[name=${username},password=${password}]`);
    }
    return new Promise((resolveFormat, reject) => {
      execFile(
        "java",
        [...args, `--cluster-id=${clusterId}`, "-c", this.#properties],
        { timeout: 120_000 },
        (error, out, err) => {
          if (error) reject(new Error(`kafka-storage format failed: ${error.message}\n${out}${err}`));
          else resolveFormat();
        },
      );
    });
  }

  #logTail(): string {
    try {
      return readFileSync(join(this.#dir, "kafka.log"), "utf8").split("\n").slice(-40).join("\n");
    } catch {
      return "";
    }
  }
}

/** A real Kafka answer: ApiVersions v0 (correlation id 1) comes back with correlation id 1 and error code 0. */
function apiVersionsAnswered(port: number): Promise<boolean> {
  return new Promise((resolveAnswer) => {
    const socket = connect(port, "127.0.0.1");
    let reply = Buffer.alloc(0);
    const done = (ok: boolean) => {
      socket.destroy();
      resolveAnswer(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.on("error", () => done(false));
    socket.on("connect", () => socket.write(Buffer.from([0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 1, 0xff, 0xff])));
    socket.on("data", (chunk: Buffer) => {
      reply = Buffer.concat([reply, chunk]);
      if (reply.length >= 10) done(reply.readInt32BE(4) === 1 && reply.readInt16BE(8) === 0);
    });
  });
}
