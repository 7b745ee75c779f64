import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { once } from "node:events";
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import path from "node:path";
import { after, describe, it } from "node:test";
import { isChatError } from "@chatroom/core";
import { eventually, newMessage, seedMember, seedRoom, storesContract, uniqueSuffix } from "@chatroom/core/testing";
import {
  MYSQL_MIGRATIONS,
  MYSQL_SCHEMA_VERSION,
  MysqlDatabase,
  migrateMysql,
  mysqlSchemaVersion,
  openMysqlStores,
} from "@chatroom/mysql";
import { createConnection } from "mysql2/promise";
import { mysqlService } from "../../../test/support/services.ts";

const { url: serverUrl } = await mysqlService();
const admin = await createConnection({ uri: serverUrl, charset: "utf8mb4" });
const databases = new Set<string>();
const repoRoot = path.resolve(import.meta.dirname, "../../..");

/** A new empty database `chatroom_<random>` on the test server, dropped at the end of the file. */
async function freshDatabase(): Promise<{ name: string; url: string }> {
  const name = `chatroom_${uniqueSuffix()}`;
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  databases.add(name);
  return { name, url: urlOf(name) };
}

async function dropDatabase(name: string): Promise<void> {
  await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
  databases.delete(name);
}

function urlOf(database: string, port?: number): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  if (port !== undefined) url.port = String(port);
  return url.toString();
}

after(async () => {
  for (const name of [...databases]) await dropDatabase(name);
  await admin.end();
});

const isUnavailable = (error: unknown) => isChatError(error) && error.code === "unavailable";
const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

storesContract("MySQL stores (the stores contract)", async () => {
  const { name, url } = await freshDatabase();
  const stores = await openMysqlStores({ url, migrate: true, poolSize: 4 });
  return {
    subject: stores,
    cleanup: async () => {
      await stores.close();
      await dropDatabase(name);
    },
  };
});

/** A loopback TCP proxy in front of the database server: stopping it is a database outage for its clients. */
class OutageProxy {
  readonly #server: Server = createServer((client) => this.#pipe(client));
  readonly #sockets = new Set<Socket>();
  readonly #target: { host: string; port: number };
  port = 0;

  constructor(target: { host: string; port: number }) {
    this.#target = target;
  }

  async start(): Promise<void> {
    this.#server.listen(this.port, "127.0.0.1");
    await once(this.#server, "listening");
    this.port = (this.#server.address() as AddressInfo).port;
  }

  /** Refuses new connections and cuts the open ones. */
  async stop(): Promise<void> {
    const closed = new Promise((resolve) => this.#server.close(resolve));
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }

  #pipe(client: Socket): void {
    const upstream = connect(this.#target.port, this.#target.host);
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket);
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

async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function runMigrateCommand(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const variable of ["CHATROOM_MYSQL_URL", "MYSQL_URL", "NODE_TEST_CONTEXT"]) {
    if (!(variable in env)) delete childEnv[variable];
  }
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(repoRoot, "scripts", "migrate.ts")],
      { cwd: repoRoot, env: childEnv, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe("MySQL migrations", () => {
  it("apply each migration once, record it, and find nothing to do on the next run", async () => {
    const { name, url } = await freshDatabase();
    const db = new MysqlDatabase({ url });
    try {
      assert.equal(await mysqlSchemaVersion(db), 0);
      assert.deepEqual(
        await migrateMysql(db),
        MYSQL_MIGRATIONS.map((migration) => migration.version),
      );
      assert.deepEqual(await migrateMysql(db), []);
      assert.equal(await mysqlSchemaVersion(db), MYSQL_SCHEMA_VERSION);
      const recorded = await db.rows("SELECT version, name, applied_at FROM schema_migrations ORDER BY version");
      assert.deepEqual(
        recorded.map((row) => ({ version: row.version, name: row.name })),
        MYSQL_MIGRATIONS.map(({ version, name }) => ({ version, name })),
      );
      assert.ok(recorded.every((row) => row.applied_at !== null));
      const tables = await db.rows(
        "SELECT table_name AS name, engine AS engine FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name",
        [name],
      );
      assert.deepEqual(
        tables.map((row) => [row.name, row.engine]).sort(([a], [b]) => String(a).localeCompare(String(b))),
        [
          "members",
          "memberships",
          "messages",
          "room_bans",
          "room_invitations",
          "room_mutes",
          "rooms",
          "schema_migrations",
          "sessions",
        ].map((table) => [table, "InnoDB"]),
      );
      const [text] = await db.rows(
        `SELECT character_set_name AS charset, collation_name AS collation FROM information_schema.columns
          WHERE table_schema = ? AND table_name = 'messages' AND column_name = 'text'`,
        [name],
      );
      assert.deepEqual({ ...text }, { charset: "utf8mb4", collation: "utf8mb4_bin" });
    } finally {
      await db.close();
      await dropDatabase(name);
    }
  });

  it("apply a list of migrations in version order whatever order it is written in", async () => {
    const { name, url } = await freshDatabase();
    const db = new MysqlDatabase({ url });
    const parent = { version: 1, name: "parent", statements: ["CREATE TABLE parent (id INT PRIMARY KEY)"] };
    // Fails unless `parent` exists already.
    const child = {
      version: 2,
      name: "child",
      statements: [
        "CREATE TABLE child (id INT PRIMARY KEY, parent_id INT, FOREIGN KEY (parent_id) REFERENCES parent (id))",
      ],
    };
    const later = { version: 3, name: "later", statements: ["ALTER TABLE child ADD COLUMN note VARCHAR(10)"] };
    try {
      assert.deepEqual(await migrateMysql(db, [child, parent]), [1, 2]);
      assert.deepEqual(await migrateMysql(db, [later, child, parent]), [3]);
      assert.equal(await mysqlSchemaVersion(db), 3);
      await assert.rejects(migrateMysql(db, [child, parent]), /newer/);
    } finally {
      await db.close();
      await dropDatabase(name);
    }
  });

  it("let two processes migrate the same database at once, each migration running once", async () => {
    const { name, url } = await freshDatabase();
    const one = new MysqlDatabase({ url });
    const two = new MysqlDatabase({ url });
    // Not repeatable (no IF NOT EXISTS) and slow: without the lock the second migrator would fail on it.
    const slow = {
      version: 1,
      name: "slow",
      statements: ["CREATE TABLE once_only (id INT PRIMARY KEY)", "DO SLEEP(0.3)"],
    };
    try {
      const results = await Promise.all([migrateMysql(one, [slow]), migrateMysql(two, [slow])]);
      assert.deepEqual(results.flat(), [1]);
      const [count] = await one.rows("SELECT COUNT(*) AS n FROM schema_migrations");
      assert.equal(count?.n, 1);
    } finally {
      await one.close();
      await two.close();
      await dropDatabase(name);
    }
    const real = await freshDatabase();
    const pools = [new MysqlDatabase({ url: real.url }), new MysqlDatabase({ url: real.url })];
    try {
      const results = await Promise.all([0, 1, 0, 1].map((i) => migrateMysql(pools[i]!)));
      assert.deepEqual(
        results.flat(),
        MYSQL_MIGRATIONS.map((migration) => migration.version),
      );
      assert.equal(await mysqlSchemaVersion(pools[0]!), MYSQL_SCHEMA_VERSION);
    } finally {
      for (const pool of pools) await pool.close();
      await dropDatabase(real.name);
    }
  });

  it("refuse to open stores on an older schema without migrate, asking for npm run migrate", async () => {
    const { name, url } = await freshDatabase();
    const db = new MysqlDatabase({ url });
    try {
      await migrateMysql(
        db,
        MYSQL_MIGRATIONS.filter((migration) => migration.version < MYSQL_SCHEMA_VERSION),
      );
      await assert.rejects(
        openMysqlStores({ url }),
        /schema is at version \d+, this build needs \d+: run npm run migrate/,
      );
      await assert.rejects(openMysqlStores({ url, migrate: false }), /run npm run migrate/);
      const migrated = await openMysqlStores({ url, migrate: true });
      await migrated.close();
      const checked = await openMysqlStores({ url });
      assert.equal(await checked.messages.lastSeq("nowhere"), 0);
      await checked.close();
      await checked.close();
      await db.run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from the future', NOW())", [
        MYSQL_SCHEMA_VERSION + 1,
      ]);
      await assert.rejects(openMysqlStores({ url }), /newer/);
      await assert.rejects(openMysqlStores({ url, migrate: true }), /newer/);
    } finally {
      await db.close();
      await dropDatabase(name);
    }
  });

  it("run from the migrate command, printing the version before and after", async () => {
    const { name, url } = await freshDatabase();
    try {
      const first = await runMigrateCommand({ MYSQL_URL: url });
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /schema version before: 0\n/);
      assert.match(first.stdout, new RegExp(`schema version after: ${MYSQL_SCHEMA_VERSION}\\n`));
      assert.doesNotMatch(first.stdout, /:chatroom@/, "the password is not printed");
      const again = await runMigrateCommand({ CHATROOM_MYSQL_URL: url });
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /from CHATROOM_MYSQL_URL/);
      assert.match(again.stdout, new RegExp(`schema version before: ${MYSQL_SCHEMA_VERSION}\\n`));
      assert.match(again.stdout, /up to date/);
      const stores = await openMysqlStores({ url });
      await stores.close();

      const down = await runMigrateCommand({ MYSQL_URL: urlOf(name, await closedPort()) });
      assert.equal(down.code, 1);
      assert.match(down.stderr, /migrate failed: database unavailable \(ECONNREFUSED\)/);
      const unset = await runMigrateCommand({});
      assert.equal(unset.code, 2);
      assert.match(unset.stderr, /set CHATROOM_MYSQL_URL or MYSQL_URL/);
    } finally {
      await dropDatabase(name);
    }
  });
});

describe("MySQL stores", () => {
  it("give 50 concurrent appends to one room from two pools seq 1..50 without a gap", async () => {
    const { name, url } = await freshDatabase();
    const one = await openMysqlStores({ url, migrate: true, poolSize: 5 });
    const two = await openMysqlStores({ url, poolSize: 5 });
    try {
      const senders = [await seedMember(one, "ann"), await seedMember(two, "bob")];
      await seedRoom(one, "lobby");
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          (i % 2 ? one : two).messages.append(newMessage(senders[i % 2]!, "lobby", `m${i}`)),
        ),
      );
      assert.deepEqual(
        results.map((result) => result.message.seq).sort((a, b) => a - b),
        oneToN(50),
      );
      const stored = await two.messages.after("lobby", 0, 100);
      assert.deepEqual(
        stored.map((message) => message.seq),
        oneToN(50),
      );
      for (const { message } of results) assert.equal(stored[message.seq - 1]?.id, message.id);
      assert.equal(await one.messages.lastSeq("lobby"), 50);
    } finally {
      await one.close();
      await two.close();
      await dropDatabase(name);
    }
  });

  it("store concurrent retries of one message from two pools once, leaving no gap in the seqs", async () => {
    const { name, url } = await freshDatabase();
    const one = await openMysqlStores({ url, migrate: true, poolSize: 5 });
    const two = await openMysqlStores({ url, poolSize: 5 });
    try {
      const ann = await seedMember(one, "ann");
      await seedRoom(one, "lobby");
      await seedRoom(one, "other");
      // Each retry carries a new message id, as a client resending after a lost reply would get from logic.
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          (i % 2 ? one : two).messages.append(newMessage(ann, i % 3 ? "lobby" : "other", "once", "retry-key")),
        ),
      );
      assert.equal(results.filter((result) => !result.duplicate).length, 1);
      assert.equal(new Set(results.map((result) => result.message.id)).size, 1);
      const [count] = await dbOf(url).rows("SELECT COUNT(*) AS n FROM messages WHERE client_msg_id = ?", ["retry-key"]);
      assert.equal(count?.n, 1);
      const stored = results[0]!.message;
      assert.equal(await one.messages.lastSeq(stored.roomId), 1);
      assert.equal(await one.messages.lastSeq(stored.roomId === "lobby" ? "other" : "lobby"), 0);
      assert.equal((await two.messages.append(newMessage(ann, stored.roomId, "next"))).message.seq, 2);
    } finally {
      await one.close();
      await two.close();
      await closeDbs();
      await dropDatabase(name);
    }
  });

  it("keep text byte for byte: emoji, SQL, HTML, NUL and a 4 KiB message", async () => {
    const { name, url } = await freshDatabase();
    const stores = await openMysqlStores({ url, migrate: true });
    try {
      const sender = await seedMember(stores, "Ann");
      await seedRoom(stores, "lobby");
      const texts = [
        "'); DROP TABLE messages;--",
        "<script>alert('x')</script>",
        "emoji 👋🏽 👨‍👩‍👧 🏳️‍🌈 and ümlauts, 𝄞 clef, 中文",
        "\\' \\\\ \\0 ` \" %s ?? :x $1",
        "nul\u0000inside and trailing spaces   ",
        "🙂".repeat(1024),
      ];
      const ids: string[] = [];
      for (const text of texts) ids.push((await stores.messages.append(newMessage(sender, "lobby", text))).message.id);
      const stored = await stores.messages.after("lobby", 0, 50);
      assert.deepEqual(
        stored.map((message) => message.text),
        texts,
      );
      const db = dbOf(url);
      for (const [i, id] of ids.entries()) {
        const [row] = await db.rows("SELECT HEX(text) AS hex FROM messages WHERE id = ?", [id]);
        assert.equal(row?.hex, Buffer.from(texts[i]!, "utf8").toString("hex").toUpperCase());
      }
      assert.equal((await stores.messages.findById(ids.at(-1)!))?.text.length, 2048);
      assert.equal(await stores.messages.lastSeq("lobby"), texts.length, "the messages table is still there");
    } finally {
      await stores.close();
      await closeDbs();
      await dropDatabase(name);
    }
  });

  it("map constraint failures to ChatError codes, a failed append leaving the seq counter alone", async () => {
    const { name, url } = await freshDatabase();
    const stores = await openMysqlStores({ url, migrate: true });
    try {
      const ann = await seedMember(stores, "ann");
      await seedRoom(stores, "lobby");
      await assert.rejects(stores.rooms.join("nowhere", ann.id, 1), { code: "room_not_found" });
      await assert.rejects(stores.rooms.join("lobby", 987_654, 1), { code: "member_not_found" });
      await assert.rejects(stores.sessions.create({ id: "s", memberId: 987_654, createdAtMs: 1, expiresAtMs: 2 }), {
        code: "member_not_found",
      });
      const sent = await stores.messages.append(newMessage(ann, "lobby", "one"));
      await assert.rejects(stores.messages.append({ ...newMessage(ann, "lobby", "two"), id: sent.message.id }), {
        code: "conflict",
      });
      assert.equal(await stores.messages.lastSeq("lobby"), 1);
      assert.equal((await stores.messages.append(newMessage(ann, "lobby", "three"))).message.seq, 2);
    } finally {
      await stores.close();
      await dropDatabase(name);
    }
  });

  it("retry a transaction that lost a deadlock, committing each side once", async () => {
    const { name, url } = await freshDatabase();
    const stores = await openMysqlStores({ url, migrate: true });
    const db = new MysqlDatabase({ url, poolSize: 2 });
    try {
      await seedRoom(stores, "a");
      await seedRoom(stores, "b");
      let firstLocked = () => {};
      let secondLocked = () => {};
      const first = new Promise<void>((resolve) => (firstLocked = resolve));
      const second = new Promise<void>((resolve) => (secondLocked = resolve));
      const attempts = new Map<string, number>();
      // Opposite lock orders: a then b, b then a. InnoDB rolls one back with ER_LOCK_DEADLOCK; it must rerun.
      const lockBoth = (order: [string, string], locked: () => void, other: Promise<void>) =>
        db.transaction(async (tx) => {
          attempts.set(order[0], (attempts.get(order[0]) ?? 0) + 1);
          await tx.run("UPDATE rooms SET last_seq = last_seq + 1 WHERE id = ?", [order[0]]);
          locked();
          await other;
          await tx.run("UPDATE rooms SET last_seq = last_seq + 1 WHERE id = ?", [order[1]]);
        });
      await Promise.all([lockBoth(["a", "b"], firstLocked, second), lockBoth(["b", "a"], secondLocked, first)]);
      assert.deepEqual([...attempts.values()].sort(), [1, 2]);
      assert.equal(await stores.messages.lastSeq("a"), 2, "the loser's first attempt was rolled back");
      assert.equal(await stores.messages.lastSeq("b"), 2);
    } finally {
      await db.close();
      await stores.close();
      await dropDatabase(name);
    }
  });

  it("reject with ChatError unavailable when the server's port is closed", async () => {
    const url = urlOf("chatroom_unreachable", await closedPort());
    await assert.rejects(openMysqlStores({ url }), (error) => {
      assert.ok(isUnavailable(error), String(error));
      return true;
    });
    await assert.rejects(openMysqlStores({ url, migrate: true }), isUnavailable);
  });

  it("surface an outage as ChatError unavailable and work again once the server is back", async () => {
    const { name, url } = await freshDatabase();
    const target = new URL(url);
    const proxy = new OutageProxy({ host: target.hostname, port: Number(target.port || 3306) });
    await proxy.start();
    const stores = await openMysqlStores({ url: urlOf(name, proxy.port), migrate: true, poolSize: 3 });
    try {
      const ann = await seedMember(stores, "ann");
      await seedRoom(stores, "lobby");
      await stores.messages.append(newMessage(ann, "lobby", "before"));

      await proxy.stop();
      await assert.rejects(stores.messages.append(newMessage(ann, "lobby", "during")), isUnavailable);
      await assert.rejects(stores.members.findById(ann.id), isUnavailable);
      await assert.rejects(stores.rooms.join("lobby", ann.id, 1), isUnavailable);

      await proxy.start();
      const sent = await eventually(() => stores.messages.append(newMessage(ann, "lobby", "after")), 20_000, 100);
      assert.equal(sent.message.seq, 2, "the append that failed during the outage left no gap");
      assert.deepEqual(await stores.members.findById(ann.id), ann);
    } finally {
      await stores.close();
      await proxy.stop();
      await dropDatabase(name);
    }
  });
});

const openDbs: MysqlDatabase[] = [];

/** A raw pool on `url` for assertions in SQL; closeDbs() closes them. */
function dbOf(url: string): MysqlDatabase {
  const db = new MysqlDatabase({ url, poolSize: 1 });
  openDbs.push(db);
  return db;
}

async function closeDbs(): Promise<void> {
  for (const db of openDbs.splice(0)) await db.close();
}
