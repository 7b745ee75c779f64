import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { Partitioners, type PartitionMetadata } from "kafkajs";
import {
  type ClusterFixture,
  type Member,
  openTab,
  registerMember,
  startClusterFixture,
  type Tab,
  waitFor,
} from "./support/cluster-fixture.ts";
import { type Acknowledged, RetryingSender } from "./support/retrying-sender.ts";

/** The cluster's push topic has 12 partitions (CHATROOM_KAFKA_PARTITIONS in scripts/cluster/cluster.ts). */
const PARTITIONS = 12;
const MESSAGES = 180;
const KILL_AFTER = 60;

/**
 * One room per partition of the push topic (a room's pushes are keyed `room:<id>`, see partitionKey), so that
 * whichever partitions the killed job owned, some of the rooms were on them.
 */
function roomsCoveringEveryPartition(prefix: string): string[] {
  const partitionOf = Partitioners.DefaultPartitioner();
  const partitionMetadata: PartitionMetadata[] = Array.from({ length: PARTITIONS }, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
    offlineReplicas: [],
  }));
  const rooms = new Map<number, string>();
  for (let i = 0; rooms.size < PARTITIONS; i += 1) {
    const room = `${prefix}-${i}`;
    const partition = partitionOf({ topic: "push", partitionMetadata, message: { key: `room:${room}`, value: null } });
    if (!rooms.has(partition)) rooms.set(partition, room);
  }
  return [...rooms.values()];
}

describe("a job killed with SIGKILL", { timeout: 150_000 }, () => {
  let fixture: ClusterFixture;
  before(async () => {
    fixture = await startClusterFixture();
  });
  after(async () => {
    await fixture?.close();
  });

  it("hands its partitions to the other job: every acknowledged message reaches every receiver once, in order", async (t) => {
    const { cluster } = fixture;
    const [comet1, comet2] = cluster.comets;
    const [job1] = cluster.jobs;
    assert.ok(comet1 && comet2 && job1);
    const rooms = roomsCoveringEveryPartition(`job-${randomBytes(3).toString("hex")}`);
    const senders: Member[] = [];
    for (let i = 0; i < 3; i += 1) senders.push(await registerMember(cluster, `sender${i}`));
    const receivers = [await registerMember(cluster, "receiver1"), await registerMember(cluster, "receiver2")];
    for (const room of rooms) {
      await senders[0]?.http.createRoom(room);
      for (const member of [...senders.slice(1), ...receivers]) await member.http.joinRoom(room);
    }
    const tabs: Tab[] = [
      await openTab(receivers[0] as Member, cluster.cometWsUrl(comet1)),
      await openTab(receivers[1] as Member, cluster.cometWsUrl(comet2)),
    ];
    const deliveredAt = new Map<string, number>();
    tabs[0]?.client.on("message", (m) => deliveredAt.set(`${m.roomId}#${m.seq}`, Date.now()));
    try {
      assert.deepEqual(
        tabs.map((tab) => tab.client.member?.server),
        [comet1.name, comet2.name],
      );
      const posting = senders.map((s) => new RetryingSender(cluster.url, s.token));
      const acknowledged = () => posting.reduce((n, p) => n + p.acknowledged.length, 0);
      let killed: { atMs: number; done: Promise<void> } | null = null;
      let next = 0;
      // Three senders post concurrently; job-1 is killed once a third of the messages are acknowledged.
      await Promise.all(
        posting.map(async (sender) => {
          for (let k = next++; k < MESSAGES; k = next++) {
            const room = rooms[k % rooms.length] as string;
            await sender.send(room, `message ${k}`);
            if (!killed && acknowledged() >= KILL_AFTER) killed = { atMs: Date.now(), done: job1.kill() };
          }
        }),
      );
      const kill = killed as { atMs: number; done: Promise<void> } | null;
      assert.ok(kill, "job-1 was killed while the messages were sent");
      await kill.done;

      const acked: Acknowledged[] = posting.flatMap((p) => p.acknowledged);
      assert.equal(acked.length, MESSAGES);
      const perRoom = new Map<string, number>(rooms.map((r) => [r, acked.filter((a) => a.roomId === r).length]));
      for (const [room, count] of perRoom) {
        const seqs = acked.filter((a) => a.roomId === room).map((a) => a.seq);
        assert.deepEqual(
          seqs.sort((a, b) => a - b),
          range(count),
          `acknowledged seqs of ${room}`,
        );
      }
      for (const tab of tabs) {
        await waitFor(
          () => rooms.every((room) => tab.seqs(room).length >= (perRoom.get(room) ?? 0)),
          `every message at ${tab.client.member?.server}`,
          60_000,
        );
      }
      for (const tab of tabs) {
        for (const room of rooms) {
          assert.deepEqual(tab.seqs(room), range(perRoom.get(room) ?? 0), `${room} at ${tab.client.member?.server}`);
        }
        assert.equal(tab.messages.length, MESSAGES, "nothing else, nothing twice");
      }

      const afterKill = acked.filter((a) => a.atMs >= kill.atMs);
      const delays = afterKill.map((a) => (deliveredAt.get(`${a.roomId}#${a.seq}`) ?? Number.NaN) - a.atMs);
      t.diagnostic(
        `${afterKill.length} messages acknowledged after the kill; longest wait from acknowledgement to delivery ` +
          `(the surviving job's takeover): ${Math.max(...delays)} ms`,
      );
    } finally {
      await Promise.all(tabs.map((tab) => tab.client.close()));
    }
  });
});

function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i + 1);
}
