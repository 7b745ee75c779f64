// `npm run cluster` stops only the infrastructure it started (scripts/cluster/main.ts → scripts/infra/all.sh): a
// service that was already running leaves no marker, so `all.sh stop-started` leaves it running.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import { startLocalService } from "../support/local-services.ts";

const run = promisify(execFile);
const allSh = resolve(import.meta.dirname, "../../scripts/infra/all.sh");
const redisSh = resolve(import.meta.dirname, "../../scripts/infra/redis.sh");

describe("scripts/infra/all.sh start / stop-started", () => {
  it("leaves a service it found running alone", async () => {
    await startLocalService("redis");
    const dir = mkdtempSync(join(tmpdir(), "infra-started-"));
    try {
      const { stdout } = await run("bash", [allSh, "start", "redis"], {
        env: { ...process.env, INFRA_STARTED_DIR: dir },
      });
      assert.match(stdout, /^export REDIS_URL=redis:\/\/127\.0\.0\.1:\d+$/m);
      assert.equal(existsSync(join(dir, "redis")), false, "no marker: this call did not start Redis");
      await run("bash", [allSh, "stop-started", dir]);
      await run("bash", [redisSh, "status"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a service it does not know", async () => {
    await assert.rejects(run("bash", [allSh, "start", "postgres"]), (error: { code?: number; stderr?: string }) => {
      assert.equal(error.code, 2);
      assert.match(error.stderr ?? "", /unknown service postgres/);
      return true;
    });
  });
});
