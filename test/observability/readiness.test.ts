import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { freePort } from "@chatroom/core/net";
import { waitFor } from "@chatroom/core/testing";
import { RedisServer } from "../cluster/support/redis-server.ts";
import { probe, probeUntil, type RunningMain, startMain } from "./support/service-main.ts";

const TOKEN_SECRET = "readiness-test-secret-0123456789abcdef";
const running: RunningMain[] = [];
const dataDir = mkdtempSync(join(tmpdir(), "chatroom-readiness-"));

after(async () => {
  for (const main of running) await main.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(...args: Parameters<typeof startMain>): Promise<RunningMain> {
  const main = await startMain(...args);
  running.push(main);
  return main;
}

/** A logic on SQLite and a memory bus (fine for one process), with presence as given. */
function logicEnv(extra: Record<string, string>): Record<string, string> {
  return {
    CHATROOM_STORE: "sqlite",
    CHATROOM_DATA_DIR: join(dataDir, `logic-${running.length}`),
    CHATROOM_BUS: "memory",
    CHATROOM_TOKEN_SECRET: TOKEN_SECRET,
    CHATROOM_LOGIC_HOST: "127.0.0.1",
    CHATROOM_LOGIC_HTTP_PORT: "0",
    CHATROOM_LOGIC_GRPC_PORT: "0",
    ...extra,
  };
}

describe("logic's readiness", () => {
  let redis: RedisServer;
  let logic: RunningMain;

  before(async () => {
    redis = await RedisServer.start();
    logic = await start(
      "logic",
      logicEnv({ CHATROOM_PRESENCE: "redis", CHATROOM_REDIS_URL: redis.url, CHATROOM_REDIS_PREFIX: "readiness:" }),
      /^logic ready http=(\S+) grpc=(\S+) admin=(\S+)$/,
    );
  });
  after(async () => {
    await logic.stop();
    await redis.stop();
  });

  it("is ready when the store, the bus and Redis presence answer", async () => {
    const { status, body } = await probe(logic.adminUrl, "/readyz");
    assert.equal(status, 200, JSON.stringify(body));
    assert.deepEqual(body, { status: "ok", checks: { store: "ok", bus: "ok", presence: "ok" } });
  });

  it("turns not ready, naming presence, when its Redis stops — and stays alive", async () => {
    await redis.stop();
    const { body } = await probeUntil(logic.adminUrl, "/readyz", 503);
    assert.equal(body.status, "unavailable");
    assert.deepEqual(body.failing, ["presence"]);
    assert.match(body.checks?.presence ?? "", /Redis|no answer/i);
    assert.equal(body.checks?.store, "ok");
    assert.equal((await probe(logic.adminUrl, "/healthz")).status, 200);
  });

  it("turns ready again once Redis is back", async () => {
    await redis.start();
    const { body } = await probeUntil(logic.adminUrl, "/readyz", 200);
    assert.equal(body.checks?.presence, "ok");
  });
});

describe("comet's readiness", () => {
  it("is its own state only: ready while no logic answers, which chatroom_dependency_up reports instead", async () => {
    const logicGrpcPort = await freePort();
    const comet = await start(
      "comet",
      {
        CHATROOM_COMET_ID: "comet-readiness",
        CHATROOM_COMET_HOST: "127.0.0.1",
        CHATROOM_COMET_WS_PORT: "0",
        CHATROOM_COMET_GRPC_PORT: "0",
        CHATROOM_PRESENCE: "memory",
        CHATROOM_LOGIC_GRPC_ADDRS: `127.0.0.1:${logicGrpcPort}`,
        CHATROOM_GRPC_MAX_RECONNECT_BACKOFF_MS: "200",
      },
      /^comet comet-readiness ready ws=(\S+) grpc=(\S+) admin=(\S+)$/,
    );
    // A logic outage must not take every comet out of its Services (job would stop pushing to all of them).
    const withoutLogic = await probe(comet.adminUrl, "/readyz");
    assert.equal(withoutLogic.status, 200, JSON.stringify(withoutLogic.body));
    assert.deepEqual(withoutLogic.body.checks, { draining: "ok" });
    assert.match(await metrics(comet.adminUrl), /^chatroom_dependency_up\{dependency="logic"\} 0$/m);
    assert.match(await metrics(comet.adminUrl), /^chatroom_dependency_up\{dependency="registry"\} 1$/m);

    await start(
      "logic",
      logicEnv({ CHATROOM_PRESENCE: "memory", CHATROOM_LOGIC_GRPC_PORT: String(logicGrpcPort) }),
      /^logic ready /,
    );
    await waitFor(
      async () => /^chatroom_dependency_up\{dependency="logic"\} 1$/m.test(await metrics(comet.adminUrl)),
      "chatroom_dependency_up{dependency=logic} to turn 1",
      15_000,
      200,
    );
    assert.equal((await probe(comet.adminUrl, "/readyz")).status, 200);
    assert.equal(await comet.stop(), 0);
  });
});

async function metrics(adminUrl: string): Promise<string> {
  return (await fetch(`${adminUrl}/metrics`)).text();
}
