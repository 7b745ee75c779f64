import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Worker } from "node:worker_threads";
import { ApiError } from "@chatroom/client";
import { eventually } from "@chatroom/core/testing";
import { AuthRequest, ChangeRoomRequest, ErrorReply, Op, SubRequest } from "@chatroom/proto/protocol";
import { RawClient } from "../support/raw-client.ts";
import { type Fixture, register, startFixture } from "./support/fixture.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function errorCode(body: Uint8Array): string {
  return ErrorReply.decode(body).code;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

describe("abuse by one authenticated user (embedded)", () => {
  let fixture: Fixture;
  before(async () => {
    fixture = await startFixture();
  });
  after(async () => {
    await fixture.close();
  });

  it("bounds per-connection state: a million OP_SUB ops are refused with a clear error and the heap stays put", async () => {
    const person = await register(fixture, "subber");
    const { client } = await RawClient.login(fixture.wsUrl, person.token);
    const heapBefore = heapAfterGc();
    const seqs: number[] = [];
    for (let frame = 0; frame < 100; frame++) {
      const ops = Array.from({ length: 10_000 }, (_, i) => 1000 + frame * 10_000 + i);
      seqs.push(client.send(Op.SUB, SubRequest.encode({ ops }).finish()));
    }
    const codes = new Map<string, number>();
    for (const seq of seqs) {
      const reply = await client.reply(seq);
      assert.equal(reply.op, Op.ERROR, `SUB seq ${seq} must be refused`);
      const code = errorCode(reply.body);
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    assert.deepEqual([...codes.keys()].sort(), ["limit_exceeded", "rate_limited"]);
    const grownMb = (heapAfterGc() - heapBefore) / 2 ** 20;
    assert.ok(grownMb < 32, `the heap grew by ${grownMb.toFixed(1)} MB`);
    client.close();
  });

  it("keeps other clients' heartbeat round trips under 50 ms (p99) while connections flood requests", async () => {
    const attacker = await register(fixture, "flooder");
    const victim = await register(fixture, "victim");
    for (let i = 0; i < 200; i++) await victim.http.sendMessage("lobby", `filler ${i}`);
    // Six observers (two members, three connections each) heartbeat every 100 ms: often enough to measure, within
    // their own request rates (20/s per connection, 50/s per member).
    const bystander = await register(fixture, "bystander");
    const observers = await Promise.all(
      [victim, victim, victim, bystander, bystander, bystander].map((p) => RawClient.login(fixture.wsUrl, p.token)),
    );
    const rtts: number[] = [];
    let measuring = true;
    const measure = async (client: RawClient) => {
      while (measuring) {
        const started = performance.now();
        const seq = client.send(Op.HEARTBEAT);
        assert.equal((await client.reply(seq)).op, Op.HEARTBEAT_REPLY);
        rtts.push(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    // Two flooders, each in a worker thread: connect, pipeline 1,000 HISTORY requests of 200 messages, repeat.
    const flood = () =>
      new Promise<string[]>((resolve, reject) => {
        const worker = new Worker(new URL("./support/flood-worker.ts", import.meta.url), {
          workerData: { url: fixture.wsUrl, token: attacker.token, durationMs: 2500, requests: 1000 },
        });
        worker.once("message", resolve);
        worker.once("error", reject);
      });
    const measured = Promise.all(observers.map(({ client }) => measure(client)));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const closes = (await Promise.all([flood(), flood()])).flat();
    measuring = false;
    await measured;
    for (const { client } of observers) client.close();
    const p99 = percentile(rtts, 99);
    assert.ok(rtts.length > 100, `${rtts.length} heartbeats measured`);
    assert.ok(p99 < 50, `heartbeat p99 ${p99.toFixed(1)} ms (max ${Math.max(...rtts).toFixed(1)} ms)`);
    assert.ok(closes.length >= 2, `${closes.length} floods`);
    for (const close of closes) assert.match(close, /^4029 (request rate exceeded|connecting too often)/);
    assert.ok(closes.includes("4029 request rate exceeded"), "floods on a connection are cut off");
  });

  it("answers a garbage CHANGE_ROOM body with an error and keeps every subscription", async () => {
    const person = await register(fixture, "garbage");
    const other = await register(fixture, "sender");
    const { client } = await RawClient.login(fixture.wsUrl, person.token);
    const seq = client.send(Op.CHANGE_ROOM, new TextEncoder().encode("live://1001"));
    const reply = await client.reply(seq);
    assert.equal(reply.op, Op.ERROR);
    assert.equal(errorCode(reply.body), "bad_request");
    assert.match(ErrorReply.decode(reply.body).message, /malformed ChangeRoomRequest/);
    await other.http.sendMessage("lobby", "still subscribed?");
    const pushed = await client.push(Op.MESSAGE);
    assert.ok(pushed.body.length > 0, "the lobby's message still arrives");
    const empty = client.send(Op.CHANGE_ROOM, ChangeRoomRequest.encode({ roomId: "" }).finish());
    assert.equal((await client.reply(empty)).op, Op.CHANGE_ROOM_REPLY, "an explicit empty room still works");
    client.close();
  });
});

describe("account-wide limits (embedded)", () => {
  let fixture: Fixture;
  before(async () => {
    fixture = await startFixture({
      CHATROOM_MAX_CONNECTIONS_PER_MEMBER: "3",
      CHATROOM_ROOM_CREATE_RATE_CAPACITY: "2",
      CHATROOM_MAX_ROOMS_PER_MEMBER: "4",
    });
  });
  after(async () => {
    await fixture.close();
  });

  it("refuses a member's connection beyond the limit with 4029, and takes one again once another closed", async () => {
    const person = await register(fixture, "tabs");
    const tabs = await Promise.all([1, 2, 3].map(() => RawClient.login(fixture.wsUrl, person.token)));
    const refused = await RawClient.open(fixture.wsUrl);
    refused.send(Op.AUTH, AuthRequest.encode({ token: person.token, accepts: [], client: "fourth" }).finish());
    const closed = await refused.closed;
    assert.equal(closed.code, 4029);
    assert.match(closed.reason, /at most 3 connections/);
    tabs[0]?.client.close();
    // The comet tells logic of the close asynchronously: the fourth connection is taken once it has.
    const again = await eventually(() => RawClient.login(fixture.wsUrl, person.token), 5000, 50);
    again.client.close();
    for (const tab of tabs) tab.client.close();
  });

  it("rate-limits room creation (public rooms and new direct conversations) and caps public memberships", async () => {
    const person = await register(fixture, "creator");
    const peer = await register(fixture, "peer");
    await person.http.createRoom(`r1-${person.memberId}`, "one");
    await person.http.sendDirect(peer.memberId, "a new conversation costs a token too");
    const refused = await person.http.createRoom(`r2-${person.memberId}`, "two").catch((error: unknown) => error);
    assert.ok(refused instanceof ApiError);
    assert.equal(refused.status, 429);
    assert.equal(refused.code, "rate_limited");

    // Memberships: lobby + r1, and two rooms hosts made = 4, the cap; a fifth join is refused.
    const [hostA, hostB] = [await register(fixture, "host"), await register(fixture, "host")];
    await hostA.http.createRoom(`r3-${person.memberId}`);
    await hostA.http.createRoom(`r4-${person.memberId}`);
    await hostB.http.createRoom(`r5-${person.memberId}`);
    await person.http.joinRoom(`r3-${person.memberId}`);
    await person.http.joinRoom(`r4-${person.memberId}`);
    const full = await person.http.joinRoom(`r5-${person.memberId}`).catch((error: unknown) => error);
    assert.ok(full instanceof ApiError);
    assert.equal(full.status, 403);
    assert.equal(full.code, "limit_exceeded");
  });
});
