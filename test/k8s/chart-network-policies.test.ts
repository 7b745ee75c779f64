// The chart's NetworkPolicies: a default deny in both directions for every pod of the release (never Strimzi's),
// then exactly what each component serves and calls; the admin ports closed unless networkPolicy.metricsFrom opens
// them. Read from `helm template` output (the test cluster's CNI bridge does not enforce policies).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findManifest, helmTemplate, type Manifest, valuesCase } from "./support/helm.ts";
import { podTemplate, selects, workloads } from "./support/pods.ts";

const DEFAULTS = valuesCase("default values");
const PRODUCTION = valuesCase("ci/production-values.yaml");
const EXTERNAL = valuesCase("ci/external-kafka-values.yaml");

interface Peer {
  podSelector?: { matchLabels: Record<string, string> };
  namespaceSelector?: { matchLabels?: Record<string, string> };
}
interface Rule {
  ports?: Array<{ port: string | number; protocol?: string }>;
  from?: Peer[];
  to?: Peer[];
}
interface PolicySpec {
  podSelector: { matchLabels: Record<string, string> };
  policyTypes: string[];
  ingress?: Rule[];
  egress?: Rule[];
}

const spec = (manifests: Manifest[], name: string) => findManifest(manifests, "NetworkPolicy", name).spec as PolicySpec;
const ports = (rules: Rule[] | undefined) => (rules ?? []).flatMap((r) => (r.ports ?? []).map((p) => p.port));
const component = (peer: Peer) => peer.podSelector?.matchLabels["app.kubernetes.io/component"];

/** Egress rules as "port → destination" (component, strimzi, or "any"). */
function egress(policy: PolicySpec): string[] {
  return (policy.egress ?? []).flatMap((rule) =>
    (rule.ports ?? []).map((p) => {
      const to = rule.to?.map((peer) => component(peer) ?? (peer.podSelector?.matchLabels["k8s-app"] || "strimzi"));
      return `${p.port}${p.protocol === "UDP" ? "/udp" : ""}→${to?.join("+") ?? "any"}`;
    }),
  );
}

describe("the chart's network policies", () => {
  it("deny everything to and from every pod of the release, and only its pods", async () => {
    const manifests = await helmTemplate(DEFAULTS);
    const deny = spec(manifests, "chatroom-default-deny");
    assert.deepEqual(deny.policyTypes, ["Ingress", "Egress"]);
    assert.equal(deny.ingress, undefined);
    assert.equal(deny.egress, undefined);
    const pods = [...workloads(manifests).map((w) => podTemplate(w).metadata.labels)];
    pods.push(findManifest(manifests, "Pod", "chatroom-test").metadata.labels ?? {});
    for (const labels of pods) assert.ok(selects(deny.podSelector.matchLabels, labels), JSON.stringify(labels));
    // Strimzi's pods carry the cluster's name as app.kubernetes.io/instance, and the chart's name is not theirs.
    const kafkaPod = { "app.kubernetes.io/instance": "chatroom", "app.kubernetes.io/name": "kafka" };
    assert.ok(!selects(deny.podSelector.matchLabels, kafkaPod), "the default deny leaves Strimzi's pods alone");
  });

  it("give every chatroom pod a policy for both directions, with DNS", async () => {
    const manifests = await helmTemplate(DEFAULTS);
    for (const name of ["comet", "logic", "job", "web", "migrate", "test", "mysql", "redis"]) {
      const policy = spec(manifests, `chatroom-${name}`);
      assert.deepEqual(policy.policyTypes, ["Ingress", "Egress"], name);
      assert.deepEqual(egress(policy).slice(0, 2), ["53/udp→kube-dns", "53→kube-dns"], `${name} resolves names`);
    }
  });

  it("let each component call exactly what it calls", async () => {
    const manifests = await helmTemplate(DEFAULTS);
    assert.deepEqual(egress(spec(manifests, "chatroom-comet")).slice(2), ["3119→logic", "6379→redis"]);
    assert.deepEqual(egress(spec(manifests, "chatroom-logic")).slice(2), ["9092→strimzi", "3306→mysql", "6379→redis"]);
    assert.deepEqual(egress(spec(manifests, "chatroom-job")).slice(2), [
      "9092→strimzi",
      "6379→redis",
      "3109→comet",
      "443→any",
      "6443→any",
    ]);
    assert.deepEqual(egress(spec(manifests, "chatroom-web")).slice(2), ["8090→logic", "3102→comet"]);
    assert.deepEqual(egress(spec(manifests, "chatroom-migrate")).slice(2), ["3306→mysql"]);
    assert.deepEqual(egress(spec(manifests, "chatroom-test")).slice(2), ["8090→logic", "3102→comet"]);
    const kafka = spec(manifests, "chatroom-logic").egress?.[1]?.to?.[0]?.podSelector?.matchLabels;
    assert.deepEqual(kafka, { "strimzi.io/cluster": "chatroom", "strimzi.io/kind": "Kafka" });
    // External services: their ports, to any address unless networkPolicy.external.<name>.to narrows it.
    const external = await helmTemplate(EXTERNAL);
    const networked = await helmTemplate({ ...EXTERNAL, set: { "networkPolicy.enabled": "true" } });
    assert.equal(external.filter((m) => m.kind === "NetworkPolicy").length, 0, "off in this values file");
    assert.deepEqual(egress(spec(networked, "chatroom-logic")).slice(2), ["9092→any", "3306→mysql", "6379→any"]);
  });

  it("keep the admin ports closed unless metricsFrom opens them, and then to it only", async () => {
    const defaults = await helmTemplate(DEFAULTS);
    for (const name of ["comet", "logic", "job"]) {
      assert.ok(!ports(spec(defaults, `chatroom-${name}`).ingress).includes("admin"), `${name}: admin closed`);
    }
    assert.deepEqual(spec(defaults, "chatroom-job").ingress, undefined, "nothing reaches job");
    const production = await helmTemplate(PRODUCTION);
    for (const name of ["comet", "logic", "job"]) {
      const rule = spec(production, `chatroom-${name}`).ingress?.find((r) => ports([r]).includes("admin"));
      assert.deepEqual(rule?.from, [
        { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } },
      ]);
    }
  });

  it("let the web client's proxy and the helm test through when clientsFrom narrows who reaches the front", async () => {
    const manifests = await helmTemplate({
      ...DEFAULTS,
      set: { "networkPolicy.clientsFrom[0].namespaceSelector.matchLabels.ingress": "true" },
    });
    const websocket = spec(manifests, "chatroom-comet").ingress?.find((r) => ports([r]).includes("websocket"));
    assert.deepEqual(
      websocket?.from?.map((p) => component(p) ?? "clients"),
      ["clients", "web", "test"],
    );
  });
});
