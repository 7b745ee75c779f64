import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ChatClient, ChatHttp } from "@chatroom/client";
import { waitFor } from "@chatroom/core/testing";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const MAIN = {
  logic: join(root, "services/logic/src/main.ts"),
  comet: join(root, "services/comet/src/main.ts"),
  job: join(root, "services/job/src/main.ts"),
};

interface Started {
  child: ChildProcess;
  /** The groups of the ready line's pattern. */
  ready: string[];
  output(): string;
}

const children: ChildProcess[] = [];
const dataDir = mkdtempSync(join(tmpdir(), "chatroom-mains-"));
after(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

/** Only the variables given (plus PATH): the test's own environment must not leak settings into the service. */
function run(main: string, env: Record<string, string>): { child: ChildProcess; output(): string } {
  const child = spawn(process.execPath, [main], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  return { child, output: () => output };
}

async function start(main: string, env: Record<string, string>, ready: RegExp): Promise<Started> {
  const { child, output } = run(main, env);
  const lines = createInterface({ input: child.stdout! });
  const groups = await new Promise<string[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line within 30 s:\n${output()}`)), 30_000);
    lines.on("line", (line) => {
      const match = ready.exec(line);
      if (!match) return;
      clearTimeout(timer);
      resolve(match.slice(1));
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before it was ready:\n${output()}`));
    });
  });
  return { child, ready: groups, output };
}

async function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = (await once(child, "exit")) as [number | null];
  return code;
}

/** In-process backends: a logic and a comet on their own, talking over gRPC, with no external service. */
const LOCAL_BACKENDS = {
  CHATROOM_BUS: "memory",
  CHATROOM_STORE: "sqlite",
  CHATROOM_PRESENCE: "memory",
  CHATROOM_DATA_DIR: dataDir,
};

describe("the standalone mains", () => {
  it("run logic and a comet as processes that chat over gRPC, and stop them gracefully on SIGTERM", async () => {
    const logic = await start(
      MAIN.logic,
      {
        ...LOCAL_BACKENDS,
        CHATROOM_TOKEN_SECRET: "a-test-secret-that-is-long-enough-1234",
        CHATROOM_LOGIC_HTTP_PORT: "0",
        CHATROOM_LOGIC_GRPC_PORT: "0",
      },
      /^logic ready http=(\S+) grpc=(\S+) admin=(\S+)$/,
    );
    const [httpAddress, logicGrpc] = logic.ready as [string, string];
    const comet = await start(
      MAIN.comet,
      {
        ...LOCAL_BACKENDS,
        CHATROOM_COMET_ID: "comet-main-test",
        CHATROOM_COMET_WS_PORT: "0",
        CHATROOM_COMET_GRPC_PORT: "0",
        CHATROOM_LOGIC_GRPC_ADDRS: logicGrpc,
      },
      /^comet comet-main-test ready ws=(\S+) grpc=(\S+) admin=(\S+)$/,
    );
    const [wsAddress] = comet.ready as [string];

    const health = await fetch(`http://${httpAddress}/healthz`);
    assert.deepEqual(await health.json(), { status: "ok" });
    const http = new ChatHttp({ baseUrl: `http://${httpAddress}` });
    const { token } = await http.register(`mains${process.pid}`, "correct horse battery");
    const client = new ChatClient({ url: `ws://${wsAddress}/ws`, token, reconnect: { initialDelayMs: 60_000 } });
    const closeCodes: number[] = [];
    client.on("state", (change) => {
      if (change.code !== undefined) closeCodes.push(change.code);
    });
    try {
      await client.connect();
      const reply = await client.send("lobby", "sent through a comet process to a logic process");
      assert.ok(reply.message && reply.message.seq > 0, "logic stored the message");
      const cometHealth = await fetch(`http://${wsAddress}/healthz`);
      assert.deepEqual(await cometHealth.json(), {
        status: "ok",
        comet: "comet-main-test",
        connections: 1,
        rooms: 1,
        pushes: { pushMsg: 0, broadcast: 0, broadcastRoom: 0 },
      });

      comet.child.kill("SIGTERM");
      assert.equal(await exitCode(comet.child), 0, comet.output());
      await waitFor(() => closeCodes.includes(1012), "the client to be told to reconnect elsewhere (1012)");
    } finally {
      await client.close();
    }
    logic.child.kill("SIGTERM");
    assert.equal(await exitCode(logic.child), 0, logic.output());
  });

  it("refuses to start a comet on an unknown backend, naming the variable", async () => {
    const { child, output } = run(MAIN.comet, { CHATROOM_PRESENCE: "etcd" });
    assert.equal(await exitCode(child), 1);
    assert.match(output(), /configuration error: CHATROOM_PRESENCE must be one of redis, memory, got "etcd"/);
  });

  it("refuses to start a job on a memory bus, which no logic process could publish to", async () => {
    const { child, output } = run(MAIN.job, { CHATROOM_BUS: "memory", CHATROOM_PRESENCE: "redis" });
    assert.equal(await exitCode(child), 1);
    assert.match(output(), /configuration error: CHATROOM_BUS=memory cannot be used by a standalone job/);
  });
});
