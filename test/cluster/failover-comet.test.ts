import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import {
  type ClusterFixture,
  openTab,
  registerMember,
  startClusterFixture,
  waitFor,
} from "./support/cluster-fixture.ts";
import { RetryingSender } from "./support/retrying-sender.ts";

describe("a comet killed with SIGKILL", { timeout: 120_000 }, () => {
  let fixture: ClusterFixture;
  before(async () => {
    fixture = await startClusterFixture();
  });
  after(async () => {
    await fixture?.close();
  });

  it("loses none of its clients' messages: they resume on the other comet, each message once and in order", async (t) => {
    const { cluster } = fixture;
    const room = `failover-${randomBytes(3).toString("hex")}`;
    const sender = await registerMember(cluster, "sender");
    const victim = await registerMember(cluster, "victim");
    await sender.http.createRoom(room, "comet failover");
    await victim.http.joinRoom(room);
    const victimTab = await openTab(victim, cluster.wsUrl);
    const reconnects: boolean[] = [];
    victimTab.client.on("resumed", (detail) => reconnects.push(detail.reconnected));
    const posting = new RetryingSender(cluster.url, sender.token);
    let stopPosting = false;
    // The sender posts one message after another before, during and after the kill; each must be acknowledged.
    const poster = (async () => {
      for (let i = 1; !stopPosting; i += 1) {
        await posting.send(room, `message ${i}`, randomUUID(), 30_000);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    poster.catch(() => {}); // awaited below; this only keeps an early failure from being "unhandled" meanwhile
    try {
      const firstServer = victimTab.client.member?.server;
      const doomed = cluster.comets.find((c) => c.name === firstServer);
      const survivor = cluster.comets.find((c) => c.name !== firstServer);
      assert.ok(doomed && survivor, `the victim is on a comet of the cluster (${firstServer})`);

      await waitFor(() => victimTab.seqs(room).length >= 20, "20 messages at the victim before the kill");
      const ackedBeforeKill = posting.acknowledged.length;
      await doomed.kill();
      t.diagnostic(`killed ${doomed.name} after ${ackedBeforeKill} acknowledged messages`);
      await waitFor(() => reconnects.includes(true), "the victim to reconnect and resume", 30_000);
      const ackedAtResume = posting.acknowledged.length;
      t.diagnostic(`resumed on ${victimTab.client.member?.server} after ${ackedAtResume} acknowledged messages`);
      await waitFor(
        () => posting.acknowledged.length >= ackedAtResume + 20,
        "20 more acknowledged messages after the resume",
      );
      stopPosting = true;
      await poster;

      const acked = posting.acknowledged.map((a) => a.seq).sort((a, b) => a - b);
      const expected = Array.from({ length: acked.length }, (_, i) => i + 1);
      assert.deepEqual(acked, expected, "the room's acknowledged seqs are 1..N");
      await waitFor(() => victimTab.seqs(room).length >= acked.length, `all ${acked.length} messages at the victim`);
      assert.deepEqual(victimTab.seqs(room), expected, "every acknowledged message once, in order");
      assert.deepEqual(
        victimTab.texts(room),
        [...posting.acknowledged].sort((a, b) => a.seq - b.seq).map((a) => a.text),
      );
      assert.equal(victimTab.client.member?.server, survivor.name, "the victim ended up on the surviving comet");
      assert.equal(victimTab.client.state, "open");
      assert.ok(ackedBeforeKill < acked.length - 20, "messages were sent after the kill too");
    } finally {
      stopPosting = true;
      await poster.catch(() => {});
      await victimTab.client.close();
    }
  });
});
