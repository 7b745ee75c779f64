import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { register, startFixture } from "./support/fixture.ts";

const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe("the embedded default's data dir", () => {
  const parent = mkdtempSync(join(tmpdir(), "chatroom-data-dir-"));
  after(() => rmSync(parent, { recursive: true, force: true }));

  it("is created 0700 with the database, its WAL files and the token secret 0600", async () => {
    const dir = join(parent, "new", "data");
    const fixture = await startFixture({}, dir);
    try {
      // A write makes SQLite create its -wal and -shm files.
      await register(fixture);
      assert.equal(modeOf(dir), "700");
      for (const file of ["chatroom.sqlite", "chatroom.sqlite-wal", "chatroom.sqlite-shm", "token-secret"]) {
        assert.ok(existsSync(join(dir, file)), file);
        assert.equal(modeOf(join(dir, file)), "600", file);
      }
    } finally {
      await fixture.close();
    }
  });

  it("narrows an existing dir and files that others could read", async () => {
    const dir = join(parent, "existing");
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, "token-secret"), "an-old-secret-that-is-long-enough-0123456789\n", { mode: 0o644 });
    chmodSync(join(dir, "token-secret"), 0o644);
    // A previous run's database, readable by everyone.
    const first = await startFixture({}, dir);
    await register(first);
    await first.close();
    for (const file of ["chatroom.sqlite", "token-secret"]) chmodSync(join(dir, file), 0o644);
    chmodSync(dir, 0o755);

    const fixture = await startFixture({}, dir);
    try {
      await register(fixture);
      assert.equal(modeOf(dir), "700");
      for (const file of ["chatroom.sqlite", "chatroom.sqlite-wal", "chatroom.sqlite-shm", "token-secret"]) {
        assert.equal(modeOf(join(dir, file)), "600", file);
      }
    } finally {
      await fixture.close();
    }
  });
});
