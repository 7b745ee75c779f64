import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  type ClusterFixture,
  openTab,
  registerMember,
  startClusterFixture,
  waitFor,
} from "./support/cluster-fixture.ts";

describe("the distributed cluster (2 logics, 2 comets, 2 jobs on Kafka, MySQL and Redis)", () => {
  let fixture: ClusterFixture;
  before(async () => {
    fixture = await startClusterFixture();
  });
  after(async () => {
    await fixture?.close();
  });

  it("lets members on different comets chat in one room", async () => {
    const { cluster } = fixture;
    const [cometA, cometB] = cluster.comets;
    assert.ok(cometA && cometB);
    const alice = await registerMember(cluster, "alice");
    const bob = await registerMember(cluster, "bob");
    const aliceTab = await openTab(alice, cluster.cometWsUrl(cometA));
    const bobTab = await openTab(bob, cluster.cometWsUrl(cometB));
    try {
      assert.notEqual(aliceTab.client.member?.server, bobTab.client.member?.server);
      await aliceTab.client.send("lobby", "hello from comet-1");
      await bobTab.client.send("lobby", "hello from comet-2");
      for (const tab of [aliceTab, bobTab]) {
        await waitFor(
          () => ["hello from comet-1", "hello from comet-2"].every((t) => tab.texts("lobby").includes(t)),
          "both messages on both comets",
        );
        assert.equal(tab.texts("lobby").filter((t) => t.startsWith("hello from comet")).length, 2);
      }
    } finally {
      await aliceTab.client.close();
      await bobTab.client.close();
    }
  });

  it("delivers a DM to a member connected to two comets", async () => {
    const { cluster } = fixture;
    const [cometA, cometB] = cluster.comets;
    assert.ok(cometA && cometB);
    const carol = await registerMember(cluster, "carol");
    const dave = await registerMember(cluster, "dave");
    const carolTab = await openTab(carol, cluster.cometWsUrl(cometA));
    const daveOnA = await openTab(dave, cluster.cometWsUrl(cometA));
    const daveOnB = await openTab(dave, cluster.cometWsUrl(cometB));
    try {
      const reply = await carolTab.client.sendDirect(dave.id, "for both of your devices");
      const roomId = reply.message?.roomId ?? "";
      for (const tab of [daveOnA, daveOnB, carolTab]) {
        await waitFor(() => tab.texts(roomId).includes("for both of your devices"), "the DM everywhere");
      }
    } finally {
      await Promise.all([carolTab.client.close(), daveOnA.client.close(), daveOnB.client.close()]);
    }
  });

  it("serves the web client, the API and the WebSocket through the load balancer", async () => {
    const { cluster } = fixture;
    const page = await fetch(cluster.url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);
    const erin = await registerMember(cluster, "erin");
    const tab = await openTab(erin, cluster.wsUrl);
    try {
      const sent = await tab.client.send("lobby", "through the balancer");
      const page2 = await erin.http.history("lobby", { limit: 200 });
      assert.ok(page2.messages.some((m) => m.id === sent.message?.id));
    } finally {
      await tab.client.close();
    }
  });
});
