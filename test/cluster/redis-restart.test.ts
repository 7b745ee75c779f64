import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { pollUntil } from "@chatroom/core/testing";
import { Redis } from "ioredis";
import {
  type ClusterFixture,
  openTab,
  registerMember,
  startClusterFixture,
  type Tab,
  waitFor,
} from "./support/cluster-fixture.ts";
import { cometHealth } from "./support/comet-health.ts";
import { RedisServer } from "./support/redis-server.ts";
import { RetryingSender } from "./support/retrying-sender.ts";

describe("a Redis restarted without its data", { timeout: 150_000 }, () => {
  let redis: RedisServer;
  let fixture: ClusterFixture;
  before(async () => {
    redis = await RedisServer.start();
    fixture = await startClusterFixture({ redisUrl: redis.url });
  });
  after(async () => {
    await fixture?.close();
    await redis?.stop();
  });

  it("is repopulated (comets, presence) and no acknowledged message is lost", async (t) => {
    const { cluster } = fixture;
    const [comet1, comet2] = cluster.comets;
    assert.ok(comet1 && comet2);
    const room = `redis-${randomBytes(3).toString("hex")}`;
    const sender = await registerMember(cluster, "sender");
    const receivers = [await registerMember(cluster, "receiver1"), await registerMember(cluster, "receiver2")];
    await sender.http.createRoom(room);
    for (const receiver of receivers) await receiver.http.joinRoom(room);
    const [receiver1, receiver2] = receivers;
    assert.ok(receiver1 && receiver2);
    const tabs: Tab[] = [
      await openTab(receiver1, cluster.cometWsUrl(comet1)),
      await openTab(receiver2, cluster.cometWsUrl(comet2)),
    ];
    let reconnects = 0;
    for (const tab of tabs) {
      tab.client.on("resumed", (detail) => {
        if (detail.reconnected) reconnects += 1;
      });
    }
    const posting = new RetryingSender(cluster.url, sender.token);
    let stopPosting = false;
    const poster = (async () => {
      for (let i = 1; !stopPosting; i += 1) {
        await posting.send(room, `message ${i}`, randomUUID(), 60_000);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    poster.catch(() => {}); // awaited below; this only keeps an early failure from being "unhandled" meanwhile
    try {
      await waitFor(() => tabs.every((tab) => tab.seqs(room).length >= 10), "10 messages at both receivers");

      await redis.kill();
      const refusedBefore = posting.refusals.length;
      await waitFor(() => posting.refusals.length >= refusedBefore + 3, "sends refused while Redis is down");
      const codes = new Set(posting.refusals.map((r) => `${r.status} ${r.code}`));
      assert.deepEqual([...codes], ["503 unavailable"], "a send is refused as unavailable while Redis is down");
      await redis.start();
      const restartedAt = await Promise.all([cometHealth(cluster, comet1), cometHealth(cluster, comet2)]);
      const startedAtMs = Date.now();

      // Presence: both receivers count as online again (their comets' heartbeats re-created their connections).
      // A 503 while logic's Redis clients reconnect counts as "not yet".
      const online = await pollUntil(
        () =>
          sender.http.room(room).then(
            (details) => details.online,
            () => 0,
          ),
        (count) => count === 2,
        "both receivers online again",
        30_000,
        100,
      );
      assert.equal(online, 2, "presence rebuilt: both receivers online in the room");
      // The comet registry: both comets registered themselves again.
      const check = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await check.connect();
        const registered = await pollUntil(
          async () => (await check.hkeys(`chatroom:${cluster.namespace}:comets`)).sort(),
          (ids) => ids.length >= 2,
          "both comets registered again",
          15_000,
          100,
        );
        assert.deepEqual(registered, [comet1.name, comet2.name]);
      } finally {
        check.disconnect();
      }
      t.diagnostic(`presence and registry back ${Date.now() - startedAtMs} ms after the restart`);

      const ackedAtRecovery = posting.acknowledged.length;
      await waitFor(
        () => posting.acknowledged.length >= ackedAtRecovery + 20,
        "20 more acknowledged messages after the recovery",
        30_000,
      );
      stopPosting = true;
      await poster;
      // Live pushes again: a probe reaches both receivers (earlier ones missed while the comets were unknown are
      // filled in by the SDK once a later message arrives, which is what the final check relies on).
      for (let probe = 1; ; probe += 1) {
        const sent = await posting.send(room, `probe ${probe}`);
        const arrived = await waitFor(
          () => tabs.every((tab) => tab.seqs(room).includes(sent.seq)),
          "the probe",
          2000,
        ).then(
          () => true,
          () => false,
        );
        if (arrived) break;
        assert.ok(probe < 15, "a probe reached both receivers after the restart");
      }
      const healthNow = await Promise.all([cometHealth(cluster, comet1), cometHealth(cluster, comet2)]);
      for (const [i, health] of healthNow.entries()) {
        const atRestart = restartedAt[i]?.pushes.broadcastRoom ?? 0;
        assert.ok(health.pushes.broadcastRoom > atRestart, `job pushes to ${health.comet} again`);
      }

      const acked = posting.acknowledged.map((a) => a.seq).sort((a, b) => a - b);
      const expected = Array.from({ length: acked.length }, (_, i) => i + 1);
      assert.deepEqual(acked, expected, "acknowledged seqs are 1..N: refused sends were retried, none stored twice");
      for (const tab of tabs) {
        await waitFor(() => tab.seqs(room).length >= acked.length, "every acknowledged message at the receivers");
        assert.deepEqual(tab.seqs(room), expected, `every acknowledged message once at ${tab.client.member?.server}`);
      }
      assert.equal(reconnects, 0, "the receivers' connections survived the outage");
      t.diagnostic(`${acked.length} messages acknowledged, ${posting.refusals.length} refused attempts retried`);
    } finally {
      stopPosting = true;
      await poster.catch(() => {});
      await Promise.all(tabs.map((tab) => tab.client.close()));
    }
  });
});
