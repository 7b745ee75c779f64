import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import {
  type ClusterFixture,
  openTab,
  registerMember,
  startClusterFixture,
  waitFor,
} from "./support/cluster-fixture.ts";
import { RetryingSender } from "./support/retrying-sender.ts";
import { sendUntilAcked } from "./support/send-until-acked.ts";

const PER_SENDER = 60;
/** Acknowledged messages (both senders together) before logic-1 is killed. */
const KILL_AFTER = 40;
/** Refusals a careful app retries with the same clientMsgId (the SDK itself retries "disconnected" too). */
const RETRIABLE = new Set(["unavailable", "internal", "disconnected"]);

describe("a logic killed with SIGKILL", { timeout: 120_000 }, () => {
  let fixture: ClusterFixture;
  before(async () => {
    fixture = await startClusterFixture();
  });
  after(async () => {
    await fixture?.close();
  });

  it("stores and delivers each message once when clients retry with the same clientMsgId", async (t) => {
    const { cluster } = fixture;
    const [comet1, comet2] = cluster.comets;
    const [logic1] = cluster.logics;
    assert.ok(comet1 && comet2 && logic1);
    const room = `logic-${randomBytes(3).toString("hex")}`;
    const wsSender = await registerMember(cluster, "wssender");
    const httpSender = await registerMember(cluster, "httpsender");
    const receiver = await registerMember(cluster, "receiver");
    await wsSender.http.createRoom(room);
    await httpSender.http.joinRoom(room);
    await receiver.http.joinRoom(room);
    const senderTab = await openTab(wsSender, cluster.cometWsUrl(comet1));
    const receiverTab = await openTab(receiver, cluster.cometWsUrl(comet2));
    try {
      let wsAcked = 0;
      let wsRetries = 0;
      let wsDuplicates = 0;
      let killing: Promise<void> | null = null;
      let ackedAtKill = { ws: 0, http: 0 };
      const http = new RetryingSender(cluster.url, httpSender.token);
      const maybeKill = () => {
        if (!killing && wsAcked + http.acknowledged.length >= KILL_AFTER) {
          killing = logic1.kill();
          ackedAtKill = { ws: wsAcked, http: http.acknowledged.length };
        }
      };
      // Four sends outstanding at a time over the WebSocket (the comet passes a connection's requests on in order),
      // and two over HTTP, so that the kill catches some mid-way.
      let nextWs = 0;
      const wsWorkers = Array.from({ length: 4 }, async () => {
        for (let i = nextWs++; i < PER_SENDER; i = nextWs++) {
          const sent = await sendUntilAcked(senderTab.client, room, `over ws ${i}`, `ws-${i}`, {
            retriable: RETRIABLE,
            deadlineMs: 10_000,
          });
          wsRetries += sent.retries;
          if (sent.duplicate) wsDuplicates += 1;
          wsAcked += 1;
          maybeKill();
        }
      });
      let nextHttp = 0;
      const httpWorkers = Array.from({ length: 2 }, async () => {
        for (let i = nextHttp++; i < PER_SENDER; i = nextHttp++) {
          await http.send(room, `over http ${i}`, `http-${i}`);
          maybeKill();
        }
      });
      await Promise.all([...wsWorkers, ...httpWorkers]);
      assert.ok(killing, "logic-1 was killed while the messages were sent");
      await killing;
      assert.ok(ackedAtKill.ws < PER_SENDER && ackedAtKill.http < PER_SENDER, "both senders sent after the kill");
      t.diagnostic(
        `killed logic-1 after ${ackedAtKill.ws} + ${ackedAtKill.http} acknowledged messages; ` +
          `retries after refusals: ${wsRetries} over the WebSocket, ${http.refusals.length} over HTTP ` +
          `(${[...new Set(http.refusals.map((r) => `${r.status} ${r.code}`))].join(", ") || "none"}); acknowledged ` +
          `as duplicates: ${wsDuplicates} over the WebSocket, ${http.acknowledged.filter((a) => a.duplicate).length} over HTTP`,
      );

      const ids = [
        ...Array.from({ length: PER_SENDER }, (_, i) => `ws-${i}`),
        ...Array.from({ length: PER_SENDER }, (_, i) => `http-${i}`),
      ].sort();
      const total = ids.length;
      const page = await receiver.http.history(room, { limit: 200 });
      assert.equal(page.hasMore, false);
      assert.deepEqual(
        page.messages.map((m) => m.seq),
        range(total),
        "history: seqs 1..N without gaps",
      );
      assert.deepEqual(page.messages.map((m) => m.clientMsgId).sort(), ids, "history: each clientMsgId once");

      await waitFor(() => receiverTab.seqs(room).length >= total, `all ${total} messages at the receiver`, 30_000);
      const seen = receiverTab.messages.filter((m) => m.roomId === room);
      assert.deepEqual(
        seen.map((m) => m.seq),
        range(total),
        "the receiver: seqs 1..N in order",
      );
      assert.deepEqual(seen.map((m) => m.clientMsgId).sort(), ids, "the receiver: each clientMsgId once");
      assert.equal(logic1.running, false);
    } finally {
      await Promise.all([senderTab.client.close(), receiverTab.client.close()]);
    }
  });
});

function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i + 1);
}
