import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { ChatClientError } from "@chatroom/client";
import { mysqlService } from "../support/services.ts";
import { TcpProxy } from "../support/tcp-proxy.ts";
import {
  type ClusterFixture,
  openTab,
  registerMember,
  startClusterFixture,
  waitFor,
} from "./support/cluster-fixture.ts";
import { RetryingSender } from "./support/retrying-sender.ts";
import { sendUntilAcked } from "./support/send-until-acked.ts";

describe("MySQL unavailable", { timeout: 120_000 }, () => {
  let proxy: TcpProxy;
  let fixture: ClusterFixture;
  before(async () => {
    const mysql = new URL((await mysqlService()).url);
    proxy = new TcpProxy({ host: mysql.hostname, port: Number(mysql.port || 3306) });
    await proxy.start();
    fixture = await startClusterFixture({ mysqlAddress: { host: proxy.host, port: proxy.port } });
  });
  after(async () => {
    await fixture?.close();
    await proxy?.close();
  });

  it("refuses sends as unavailable while it is down, and no acknowledged message is lost", async (t) => {
    const { cluster } = fixture;
    const [comet1, comet2] = cluster.comets;
    assert.ok(comet1 && comet2);
    const room = `mysql-${randomBytes(3).toString("hex")}`;
    const httpMember = await registerMember(cluster, "httpsender");
    const wsMember = await registerMember(cluster, "wssender");
    const receiver = await registerMember(cluster, "receiver");
    await httpMember.http.createRoom(room);
    await wsMember.http.joinRoom(room);
    await receiver.http.joinRoom(room);
    const wsTab = await openTab(wsMember, cluster.cometWsUrl(comet1));
    /** Sends over the WebSocket until acknowledged, retrying `unavailable` refusals with the same clientMsgId. */
    const sendOverWs = async (text: string, clientMsgId: string): Promise<number> =>
      (await sendUntilAcked(wsTab.client, room, text, clientMsgId, { deadlineMs: 30_000, pauseMs: 100 })).seq;
    const receiverTab = await openTab(receiver, cluster.cometWsUrl(comet2));
    const http = new RetryingSender(cluster.url, httpMember.token);
    const wsAcked = new Map<string, number>();
    try {
      for (let i = 0; i < 5; i += 1) {
        await http.send(room, `before ${i}`, `http-before-${i}`);
        wsAcked.set(`ws-before-${i}`, await sendOverWs(`before ${i}`, `ws-before-${i}`));
      }

      // A second sender keeps posting through the cut, so that some sends are in flight when MySQL goes away.
      const background = new RetryingSender(cluster.url, httpMember.token);
      let stopBackground = false;
      const poster = (async () => {
        for (let i = 0; !stopBackground; i += 1) await background.send(room, `background ${i}`, `bg-${i}`, 30_000);
      })();
      poster.catch(() => {}); // awaited below; this only keeps an early failure from being "unhandled" meanwhile
      await waitFor(() => background.acknowledged.length >= 5, "the background sender to get going");
      await proxy.cut();
      const refusedIds: string[] = [];
      for (let i = 0; i < 3; i += 1) {
        const id = `http-during-${i}`;
        refusedIds.push(id);
        const outcome = await http.attempt(room, `during ${i}`, id);
        assert.ok(!("seq" in outcome), `${id} must not be acknowledged while MySQL is down`);
        assert.equal(outcome.status, 503, `HTTP refusal: ${outcome.status} ${outcome.code} ${outcome.message}`);
        assert.equal(outcome.code, "unavailable");
      }
      for (let i = 0; i < 3; i += 1) {
        const id = `ws-during-${i}`;
        refusedIds.push(id);
        const refused = await wsTab.client.send(room, `during ${i}`, { clientMsgId: id }).then(
          () => null,
          (error: unknown) => error,
        );
        assert.ok(refused instanceof ChatClientError, `${id} must not be acknowledged while MySQL is down`);
        assert.equal(refused.code, "unavailable", `WebSocket refusal: ${refused.code} ${refused.message}`);
      }
      assert.equal(wsTab.client.state, "open", "the WebSocket stays open through the outage");
      t.diagnostic(`refusals: ${http.refusals[0]?.message}`);

      await waitFor(() => background.refusals.length > 0, "the background sender to be refused too");
      await proxy.restore();
      const backgroundAtRestore = background.acknowledged.length;
      await waitFor(() => background.acknowledged.length >= backgroundAtRestore + 5, "background sends after restore");
      stopBackground = true;
      await poster;
      const refusalKinds = new Set([...http.refusals, ...background.refusals].map((r) => `${r.status} ${r.code}`));
      assert.deepEqual([...refusalKinds], ["503 unavailable"], "every refusal during the outage is 503 unavailable");
      // The refused sends again, with the same clientMsgIds (as an app retries), then new ones.
      for (let i = 0; i < 3; i += 1) {
        await http.send(room, `during ${i}`, `http-during-${i}`, 30_000);
        wsAcked.set(`ws-during-${i}`, await sendOverWs(`during ${i}`, `ws-during-${i}`));
      }
      for (let i = 0; i < 5; i += 1) {
        await http.send(room, `after ${i}`, `http-after-${i}`);
        wsAcked.set(`ws-after-${i}`, await sendOverWs(`after ${i}`, `ws-after-${i}`));
      }

      const ackedIds = [
        ...http.acknowledged.map((a) => a.clientMsgId),
        ...background.acknowledged.map((a) => a.clientMsgId),
        ...wsAcked.keys(),
      ];
      const total = 26 + background.acknowledged.length;
      assert.equal(new Set(ackedIds).size, total);
      for (const id of refusedIds) assert.ok(ackedIds.includes(id), `${id} acknowledged once MySQL was back`);
      const page = await receiver.http.history(room, { limit: 200 });
      assert.equal(page.hasMore, false);
      const expectedSeqs = Array.from({ length: total }, (_, i) => i + 1);
      assert.deepEqual(
        page.messages.map((m) => m.seq),
        expectedSeqs,
        "history: seqs 1..N without gaps",
      );
      assert.deepEqual(page.messages.map((m) => m.clientMsgId).sort(), [...ackedIds].sort(), "history: each once");
      const seqOf = new Map(page.messages.map((m) => [m.clientMsgId, m.seq]));
      for (const acked of [...http.acknowledged, ...background.acknowledged]) {
        assert.equal(seqOf.get(acked.clientMsgId), acked.seq);
      }
      for (const [id, seq] of wsAcked) assert.equal(seqOf.get(id), seq);

      await waitFor(() => receiverTab.seqs(room).length >= total, "every message at the receiver");
      assert.deepEqual(receiverTab.seqs(room), expectedSeqs, "the receiver got each message once, in order");
      t.diagnostic(
        `${background.acknowledged.length} background sends, ${background.refusals.length} refused attempts`,
      );
    } finally {
      await Promise.all([wsTab.client.close(), receiverTab.client.close()]);
    }
  });
});
