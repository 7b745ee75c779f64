// chatroom on a real single-node Kubernetes cluster (scripts/k8s/cluster: containerd, kubelet, the control plane,
// kube-proxy and CoreDNS on this machine; charts/chatroom installed with helm, Kafka, MariaDB and Redis outside the
// cluster). The suite brings the cluster up (npm run k8s:up) and removes it afterwards (npm run k8s:down), also
// when a test fails. Needs root, Debian's apt-get and the Go module proxy the first time (docs/kubernetes.md).
import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { ChatHttp } from "@chatroom/client";
import { createConnection } from "mysql2/promise";
import { down } from "../../scripts/k8s/cluster/down.ts";
import { externalServices } from "../../scripts/k8s/cluster/external-services.ts";
import { helm, kubectl } from "../../scripts/k8s/cluster/kubectl.ts";
import { NAMESPACE, RELEASE } from "../../scripts/k8s/cluster/layout.ts";
import { testRelease, upgradeRelease } from "../../scripts/k8s/cluster/release.ts";
import { up } from "../../scripts/k8s/cluster/up.ts";
import {
  clusterDiagnostics,
  endpointOf,
  type Member,
  openTabOn,
  podMetrics,
  podsOf,
  resolveInCluster,
  serviceIp,
  type Tab,
  waitUntil,
} from "./support/test-cluster.ts";

const MINUTE = 60_000;
const COMET_0_NAME = "chatroom-comet-0.chatroom-comet-headless.chatroom.svc.cluster.local";

describe("chatroom on a single-node Kubernetes cluster", { timeout: 40 * MINUTE }, () => {
  let apiUrl = "";
  let wsUrl = "";
  let failed = false;

  before(
    async () => {
      await up();
      apiUrl = `http://${await serviceIp("chatroom-logic")}`;
      wsUrl = `ws://${await serviceIp("chatroom-comet")}/ws`;
    },
    { timeout: 30 * MINUTE },
  );

  after(
    async () => {
      if (failed) process.stderr.write(`${await clusterDiagnostics().catch((e: Error) => e.message)}\n`);
      await down();
    },
    { timeout: 5 * MINUTE },
  );

  async function member(prefix: string): Promise<Member> {
    const http = new ChatHttp({ baseUrl: apiUrl });
    const name = `${prefix}${randomBytes(3).toString("hex")}`;
    const { token, member: registered } = await http.register(name, "correct horse battery");
    return { http, token, name, id: registered.id };
  }

  it("two SDK clients chat through the comets; deleting chatroom-comet-0 mid-traffic loses and repeats nothing", async (t) => {
    try {
      const room = `k8s-${randomBytes(3).toString("hex")}`;
      const alice = await member("alice");
      const bob = await member("bob");
      await alice.http.createRoom(room, "cluster test");
      await bob.http.joinRoom(room);
      // One client on each comet: deleting chatroom-comet-0 cuts alice off while bob's comet keeps serving him.
      const tabs: Tab[] = [
        await openTabOn("chatroom-comet-0", wsUrl, alice),
        await openTabOn("chatroom-comet-1", wsUrl, bob),
      ];
      const aliceResumed: boolean[] = [];
      tabs[0]?.client.on("resumed", (detail) => aliceResumed.push(detail.reconnected));
      const sent: Array<{ seq: number; text: string }> = [];
      let stop = false;
      // Both chat over their WebSockets, one message after another each; a send cut by the deletion is retried by
      // the SDK with the same client message id once it has reconnected, so every send must be acknowledged once.
      const chatter = tabs.map(async (tab, index) => {
        for (let i = 1; !stop; i += 1) {
          const text = `${index === 0 ? "alice" : "bob"} ${i}`;
          const reply = await tab.client.send(room, text, { clientMsgId: randomUUID() });
          sent.push({ seq: reply.message?.seq ?? -1, text });
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      });
      for (const c of chatter) c.catch(() => {}); // awaited below
      try {
        await waitUntil(() => sent.length >= 30, "30 messages before the deletion");
        const uidBefore = (await podsOf("comet")).find((p) => p.name === "chatroom-comet-0")?.uid;
        await kubectl(["-n", NAMESPACE, "delete", "pod", "chatroom-comet-0", "--wait=false"]);
        t.diagnostic(`deleted chatroom-comet-0 after ${sent.length} messages`);
        // While it drains, its advertised name (the gRPC address job calls) must keep resolving: the headless
        // Service publishes not-ready addresses, and the EndpointSlice says "terminating" instead.
        let draining: Awaited<ReturnType<typeof endpointOf>>;
        await waitUntil(async () => {
          draining = await endpointOf("chatroom-comet-headless", "chatroom-comet-0");
          return draining?.terminating === true;
        }, "the EndpointSlice to show chatroom-comet-0 terminating");
        assert.deepEqual(
          await resolveInCluster(COMET_0_NAME),
          [draining?.address],
          "the draining comet's name resolves",
        );
        await waitUntil(() => aliceResumed.includes(true), "alice to reconnect and resume", 60_000);
        t.diagnostic(`alice resumed on ${tabs[0]?.client.member?.server} after ${sent.length} messages`);
        const atResume = sent.length;
        await waitUntil(() => sent.length >= atResume + 30, "30 more messages after the resume", 60_000);
        // The StatefulSet brings chatroom-comet-0 back as a new pod.
        await waitUntil(
          async () =>
            (await podsOf("comet")).some((p) => p.name === "chatroom-comet-0" && p.ready && p.uid !== uidBefore),
          "a new chatroom-comet-0 to be ready",
          2 * MINUTE,
        );
      } finally {
        stop = true;
        await Promise.allSettled(chatter);
      }
      for (const c of chatter) await c;

      const seqs = sent.map((s) => s.seq).sort((a, b) => a - b);
      const expected = Array.from({ length: seqs.length }, (_, i) => i + 1);
      assert.deepEqual(seqs, expected, "every send acknowledged once, the room's seqs 1..N");
      const texts = [...sent].sort((a, b) => a.seq - b.seq).map((s) => s.text);
      for (const [index, tab] of tabs.entries()) {
        await waitUntil(() => tab.seqs(room).length >= seqs.length, `all ${seqs.length} messages at client ${index}`);
        assert.deepEqual(tab.seqs(room), expected, `client ${index}: every message once, in order`);
        assert.deepEqual(tab.texts(room), texts);
      }
      assert.equal(tabs[0]?.client.state, "open");
      for (const tab of tabs) await tab.client.close();
    } catch (error) {
      failed = true;
      throw error;
    }
  });

  it("a helm upgrade that changes only a logic setting rolls logic and leaves every comet pod running", async () => {
    try {
      const comets = await podsOf("comet");
      const jobs = await podsOf("job");
      const logics = await podsOf("logic");
      assert.equal(comets.length, 2);
      await upgradeRelease({ "logic.env.CHATROOM_HISTORY_PAGE_DEFAULT": "40" });
      await waitUntil(async () => {
        const now = await podsOf("logic");
        return now.length === logics.length && now.every((p) => p.ready && !logics.some((o) => o.uid === p.uid));
      }, "logic to roll");
      assert.deepEqual(
        (await podsOf("comet")).map((p) => [p.name, p.uid, p.checksum]),
        comets.map((p) => [p.name, p.uid, p.checksum]),
        "the comet pods are the same pods",
      );
      assert.deepEqual(
        (await podsOf("job")).map((p) => p.uid),
        jobs.map((p) => p.uid),
        "the job pods are the same pods",
      );
      const config = await kubectl(["-n", NAMESPACE, "get", "configmap", "chatroom-logic", "-o", "jsonpath={.data}"]);
      assert.match(config, /"CHATROOM_HISTORY_PAGE_DEFAULT":"40"/);
    } catch (error) {
      failed = true;
      throw error;
    }
  });

  it("sends the comets' gRPC calls to a logic added by a scale-out (connections age out, names are resolved again)", async () => {
    try {
      const before = (await podsOf("logic")).map((p) => p.name);
      await kubectl(["-n", NAMESPACE, "scale", "deployment", "chatroom-logic", "--replicas=2"]);
      let added = "";
      await waitUntil(
        async () => {
          added = (await podsOf("logic")).find((p) => p.ready && !before.includes(p.name))?.name ?? "";
          return added !== "";
        },
        "a second logic to be ready",
        2 * MINUTE,
      );
      // The comets' connections to the first logic age out (CHATROOM_GRPC_MAX_CONNECTION_AGE_MS in the test values:
      // 15 s); their next DNS lookup of the headless Service finds the new pod. Heartbeats and RenewOnline calls
      // (every comet, every 10 s) then reach it.
      await waitUntil(
        async () =>
          /^chatroom_logic_grpc_request_duration_seconds_count\{[^}]*\} [1-9]/m.test(await podMetrics(added, 9401)),
        `comet calls at the new logic ${added}`,
        90_000,
      );
    } catch (error) {
      failed = true;
      throw error;
    }
  });

  it("helm test passes", async () => {
    try {
      const report = await testRelease();
      assert.match(report, /Phase:\s+Succeeded/);
      assert.doesNotMatch(report, /Phase:\s+Failed/);
      for (const check of ["logic serves its HTTP API", "the goim push API", "a comet accepts a WebSocket"]) {
        assert.match(report, new RegExp(`ok +${check}`), `the test pod checked: ${check}`);
      }
    } catch (error) {
      failed = true;
      throw error;
    }
  });

  it("refuses a rollback across a schema migration before anything changes (the older build's migrate runs first)", async () => {
    try {
      const logics = (await podsOf("logic")).map((p) => p.uid);
      // A migration newer than this build, as a later release would have applied it.
      const db = await createConnection(externalServices.mysqlUrl);
      try {
        await db.query(
          "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'from-a-later-release', UTC_TIMESTAMP(3))",
        );
        await assert.rejects(
          helm(["rollback", RELEASE, "1", "-n", NAMESPACE, "--wait", "--timeout", "3m"]),
          (error) => {
            assert.match(String(error), /job chatroom-migrate failed/);
            return true;
          },
        );
        const hook = await kubectl(["-n", NAMESPACE, "logs", "job/chatroom-migrate"]);
        assert.match(hook, /schema version 999 is newer than this build's/);
        assert.deepEqual(
          (await podsOf("logic")).map((p) => p.uid),
          logics,
          "logic was not rolled back onto a schema it refuses",
        );
      } finally {
        await db.query("DELETE FROM schema_migrations WHERE version = 999");
        await db.end();
      }
    } catch (error) {
      failed = true;
      throw error;
    }
  });
});
