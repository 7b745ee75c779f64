import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { ChatClientError } from "@chatroom/client";
import { kafkaService } from "../support/services.ts";
import {
  type ClusterFixture,
  openTab,
  registerMember,
  startClusterFixture,
  waitFor,
} from "./support/cluster-fixture.ts";
import { KafkaBroker } from "./support/kafka-broker.ts";
import { RetryingSender } from "./support/retrying-sender.ts";
import { sendUntilAcked } from "./support/send-until-acked.ts";

describe("Kafka unavailable", { timeout: 240_000 }, () => {
  let broker: KafkaBroker;
  let fixture: ClusterFixture;
  before(async () => {
    await kafkaService(); // installs the broker jars on first use
    broker = await KafkaBroker.start();
    fixture = await startClusterFixture({ kafkaBrokers: broker.brokers });
  });
  after(async () => {
    await fixture?.close();
    await broker?.destroy();
  });

  it("refuses sends as unavailable (not hanging) while it is down, and no acknowledged message is lost", async (t) => {
    const { cluster } = fixture;
    const [comet1, comet2] = cluster.comets;
    assert.ok(comet1 && comet2);
    const room = `kafka-${randomBytes(3).toString("hex")}`;
    const httpMember = await registerMember(cluster, "httpsender");
    const wsMember = await registerMember(cluster, "wssender");
    const receiver = await registerMember(cluster, "receiver");
    await httpMember.http.createRoom(room);
    await wsMember.http.joinRoom(room);
    await receiver.http.joinRoom(room);
    const wsTab = await openTab(wsMember, cluster.cometWsUrl(comet1));
    /** Sends over the WebSocket until acknowledged, retrying `unavailable` refusals with the same clientMsgId. */
    const sendOverWs = async (text: string, clientMsgId: string): Promise<number> =>
      (await sendUntilAcked(wsTab.client, room, text, clientMsgId, { deadlineMs: 60_000, pauseMs: 200 })).seq;
    const receiverTab = await openTab(receiver, cluster.cometWsUrl(comet2));
    const http = new RetryingSender(cluster.url, httpMember.token);
    const wsAcked = new Map<string, number>();
    try {
      for (let i = 0; i < 5; i += 1) {
        await http.send(room, `before ${i}`, `http-before-${i}`);
        wsAcked.set(`ws-before-${i}`, await sendOverWs(`before ${i}`, `ws-before-${i}`));
      }
      await waitFor(() => receiverTab.seqs(room).length >= 10, "the first messages at the receiver");

      await broker.kill();
      const killedAtMs = Date.now();
      for (let i = 0; i < 3; i += 1) {
        const id = `http-during-${i}`;
        // A hung request would end at the sender's 15 s fetch timeout as a "network" refusal and fail here.
        const outcome = await http.attempt(room, `during ${i}`, id);
        assert.ok(!("seq" in outcome), `${id} must not be acknowledged while Kafka is down`);
        assert.equal(outcome.status, 503, `HTTP refusal: ${outcome.status} ${outcome.code} ${outcome.message}`);
        assert.equal(outcome.code, "unavailable");
      }
      for (let i = 0; i < 3; i += 1) {
        const id = `ws-during-${i}`;
        const refused = await wsTab.client.send(room, `during ${i}`, { clientMsgId: id }).then(
          () => null,
          (error: unknown) => error,
        );
        assert.ok(refused instanceof ChatClientError, `${id} must not be acknowledged while Kafka is down`);
        assert.equal(refused.code, "unavailable", `WebSocket refusal: ${refused.code} ${refused.message}`);
      }
      t.diagnostic(`6 sends refused in ${Date.now() - killedAtMs} ms; first: ${http.refusals[0]?.message}`);

      await broker.start();
      const restartedAtMs = Date.now();
      // The refused sends again, with the same clientMsgIds (as an app retries), then new ones.
      for (let i = 0; i < 3; i += 1) {
        await http.send(room, `during ${i}`, `http-during-${i}`, 60_000);
        wsAcked.set(`ws-during-${i}`, await sendOverWs(`during ${i}`, `ws-during-${i}`));
      }
      t.diagnostic(`sends acknowledged again ${Date.now() - restartedAtMs} ms after the broker's restart`);
      for (let i = 0; i < 5; i += 1) {
        await http.send(room, `after ${i}`, `http-after-${i}`);
        wsAcked.set(`ws-after-${i}`, await sendOverWs(`after ${i}`, `ws-after-${i}`));
      }

      const ackedIds = [...http.acknowledged.map((a) => a.clientMsgId), ...wsAcked.keys()];
      assert.equal(new Set(ackedIds).size, 26);
      const page = await receiver.http.history(room, { limit: 200 });
      assert.equal(page.hasMore, false);
      const expectedSeqs = Array.from({ length: 26 }, (_, i) => i + 1);
      assert.deepEqual(
        page.messages.map((m) => m.seq),
        expectedSeqs,
        "history: seqs 1..N without gaps",
      );
      assert.deepEqual(page.messages.map((m) => m.clientMsgId).sort(), [...ackedIds].sort(), "history: each once");
      const seqOf = new Map(page.messages.map((m) => [m.clientMsgId, m.seq]));
      for (const acked of http.acknowledged) assert.equal(seqOf.get(acked.clientMsgId), acked.seq);
      for (const [id, seq] of wsAcked) assert.equal(seqOf.get(id), seq);

      // The jobs consume again: the messages reach the receiver, each once and in order.
      await waitFor(() => receiverTab.seqs(room).length >= 26, "every message at the receiver", 60_000);
      assert.deepEqual(receiverTab.seqs(room), expectedSeqs, "the receiver got each message once, in order");
    } finally {
      await Promise.all([wsTab.client.close(), receiverTab.client.close()]);
    }
  });
});
