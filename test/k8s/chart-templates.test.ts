// What the chart's templates promise, read from `helm template` output: secrets referenced not invented, pods rolled
// on configuration changes, the comets' graceful drain, routing, network policies, RBAC, monitoring, Strimzi.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { chartDir, findManifest, helmTemplate, type Manifest, type ValuesCase, valuesCase } from "./support/helm.ts";
import { type Container, componentWorkload, containerEnv, podTemplate, selects, workloads } from "./support/pods.ts";
import { SCHEMAS, unknownSettings } from "./support/service-schemas.ts";

const DEFAULTS = valuesCase("default values");
const PRODUCTION = valuesCase("ci/production-values.yaml");
const EXTERNAL = valuesCase("ci/external-kafka-values.yaml");
const TILT = valuesCase("k8s/values-dev.yaml as Tilt renders it");

const withSet = (values: ValuesCase, set: Record<string, string>): ValuesCase => ({
  name: `${values.name} ${JSON.stringify(set)}`,
  files: values.files,
  set: { ...values.set, ...set },
});

function container(manifests: Manifest[], component: string): Container {
  const workload = componentWorkload(manifests, component);
  assert.ok(workload, `${component} is rendered`);
  const found = podTemplate(workload).spec.containers[0];
  assert.ok(found);
  return found;
}

interface PolicyRule {
  ports?: Array<{ port: string | number }>;
  from?: Array<{ podSelector?: { matchLabels: Record<string, string> }; namespaceSelector?: unknown }>;
}

function ingressRules(manifests: Manifest[], name: string): PolicyRule[] {
  return (findManifest(manifests, "NetworkPolicy", name).spec as { ingress: PolicyRule[] }).ingress;
}

function ruleFor(rules: PolicyRule[], port: string): PolicyRule {
  const rule = rules.find((r) => r.ports?.some((p) => p.port === port));
  assert.ok(rule, `a rule for port ${port}`);
  return rule;
}

const componentOf = (peer: { podSelector?: { matchLabels: Record<string, string> } }) =>
  peer.podSelector?.matchLabels["app.kubernetes.io/component"];

describe("the chart's templates", () => {
  it("references the services' Secret without inventing one, unless the development flag asks for it", async () => {
    const defaults = await helmTemplate(DEFAULTS);
    assert.equal(defaults.filter((m) => m.kind === "Secret").length, 0);
    const token = container(defaults, "logic").env?.find((v) => v.name === "CHATROOM_TOKEN_SECRET");
    assert.deepEqual(token?.valueFrom?.secretKeyRef, { name: "chatroom", key: "token-secret" });

    const generated = await helmTemplate(EXTERNAL);
    const secret = findManifest(generated, "Secret", "chatroom");
    assert.match(secret.metadata.annotations?.["chatroom/development-only"] ?? "", /use secrets.existingSecret/);
    const data = secret.data as Record<string, string>;
    assert.ok(Buffer.from(data["token-secret"] ?? "", "base64").length >= 32);
    assert.deepEqual(Object.keys(data).sort(), ["api-keys", "mysql-password", "mysql-root-password", "token-secret"]);
    const tilt = findManifest(await helmTemplate(TILT), "Secret", "chatroom").data as Record<string, string>;
    const again = findManifest(await helmTemplate(TILT), "Secret", "chatroom").data as Record<string, string>;
    assert.deepEqual(tilt, again, "fixed development values render the same every time (Tilt re-renders)");
  });

  it("rolls a component's pods when its own or the shared configuration changes, and only then", async () => {
    const checksums = async (set: Record<string, string>) => {
      const manifests = await helmTemplate(withSet(DEFAULTS, set));
      return Object.fromEntries(
        ["comet", "logic", "job"].map((c) => {
          const workload = componentWorkload(manifests, c);
          assert.ok(workload);
          return [c, podTemplate(workload).metadata.annotations?.["checksum/config"]];
        }),
      );
    };
    const base = await checksums({});
    assert.ok(Object.values(base).every((sum) => /^[0-9a-f]{64}$/.test(sum ?? "")));
    const changed = async (set: Record<string, string>) => {
      const now = await checksums(set);
      return Object.keys(base).filter((c) => now[c] !== base[c]);
    };
    assert.deepEqual(await changed({ "config.logLevel": "debug" }), ["comet", "logic", "job"]);
    assert.deepEqual(await changed({ "comet.env.CHATROOM_COMET_BUCKETS": "64" }), ["comet"]);
    assert.deepEqual(await changed({ "logic.env.CHATROOM_HISTORY_PAGE_MAX": "100" }), ["logic"]);
    assert.deepEqual(await changed({ "job.env.CHATROOM_JOB_MAX_BATCH": "100" }), ["job"]);
    assert.deepEqual(await changed({ "kafka.topic.partitions": "24" }), ["logic", "job"], "comets use no Kafka");
    assert.deepEqual(await changed({ "web.replicas": "3" }), []);
  });

  it("runs comets as a StatefulSet that drains: preStop, a long grace period, readiness from the admin port", async () => {
    const manifests = await helmTemplate(PRODUCTION);
    const statefulSet = findManifest(manifests, "StatefulSet", "chatroom-comet");
    const spec = podTemplate(statefulSet).spec;
    const comet = container(manifests, "comet");
    assert.deepEqual(comet.lifecycle?.preStop?.exec?.command, ["sleep", "15"]);
    assert.equal(spec.terminationGracePeriodSeconds, 120);
    assert.equal(comet.readinessProbe?.httpGet?.path, "/readyz");
    const env = containerEnv(manifests, comet, {
      fields: { "metadata.name": "p", "status.podIP": "1.2.3.4", "metadata.namespace": "n" },
      secrets: () => "",
    });
    assert.equal(env.get("CHATROOM_COMET_DRAIN_TIMEOUT_MS"), "30000");
    assert.equal(env.get("CHATROOM_SHUTDOWN_TIMEOUT_MS"), "90000");
    const pdb = findManifest(manifests, "PodDisruptionBudget", "chatroom-comet").spec as Record<string, unknown>;
    assert.equal(pdb.maxUnavailable, 1);
    const hpa = findManifest(manifests, "HorizontalPodAutoscaler", "chatroom-comet");
    assert.equal(hpa.apiVersion, "autoscaling/v2");
    assert.deepEqual((hpa.spec as { metrics: unknown[] }).metrics, [
      {
        type: "Pods",
        pods: {
          metric: { name: "chatroom_comet_connections" },
          target: { type: "AverageValue", averageValue: "20000" },
        },
      },
    ]);
    assert.equal((statefulSet.spec as { replicas?: number }).replicas, undefined, "the HPA owns the replicas");
  });

  it("scales logic with an autoscaling/v2 HPA on CPU with the configured behavior", async () => {
    const hpa = findManifest(await helmTemplate(PRODUCTION), "HorizontalPodAutoscaler", "chatroom-logic");
    const spec = hpa.spec as { metrics: unknown[]; behavior: { scaleDown: { stabilizationWindowSeconds: number } } };
    assert.deepEqual(spec.metrics, [
      { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 65 } } },
    ]);
    assert.equal(spec.behavior.scaleDown.stabilizationWindowSeconds, 300);
  });

  it("routes /api to logic, /ws to the comets and / to the web client, with WebSocket timeouts and TLS", async () => {
    const ingress = findManifest(await helmTemplate(PRODUCTION), "Ingress", "chatroom");
    const spec = ingress.spec as {
      ingressClassName: string;
      tls: unknown[];
      rules: Array<{ host: string; http: { paths: Array<{ path: string; backend: { service: { name: string } } }> } }>;
    };
    assert.equal(spec.ingressClassName, "nginx");
    assert.deepEqual(spec.tls, [{ secretName: "chat-example-com-tls", hosts: ["chat.example.com"] }]);
    const routes = Object.fromEntries(spec.rules[0]?.http.paths.map((p) => [p.path, p.backend.service.name]) ?? []);
    assert.deepEqual(routes, { "/api": "chatroom-logic", "/ws": "chatroom-comet", "/": "chatroom-web" });
    assert.equal(ingress.metadata.annotations?.["nginx.ingress.kubernetes.io/proxy-read-timeout"], "3600");
    assert.equal(ingress.metadata.annotations?.["cert-manager.io/cluster-issuer"], "letsencrypt");
  });

  it("lets only comets call logic's gRPC and only jobs call the comets' gRPC; clients reach WebSocket and HTTP", async () => {
    const manifests = await helmTemplate(PRODUCTION);
    const comet = ingressRules(manifests, "chatroom-comet");
    assert.deepEqual(ruleFor(comet, "grpc").from?.map(componentOf), ["job"]);
    assert.equal(ruleFor(comet, "websocket").from, undefined, "anyone may open a WebSocket");
    const logic = ingressRules(manifests, "chatroom-logic");
    assert.deepEqual(ruleFor(logic, "grpc").from?.map(componentOf), ["comet"]);
    assert.equal(ruleFor(logic, "http").from, undefined);
    for (const rules of [comet, logic, ingressRules(manifests, "chatroom-job")]) {
      assert.deepEqual(ruleFor(rules, "admin").from, [
        { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } },
      ]);
    }
    assert.deepEqual(
      comet.flatMap((r) => r.ports?.map((p) => p.port)),
      ["websocket", "grpc", "admin"],
      "no other port is open",
    );
    const defaults = await helmTemplate(DEFAULTS);
    assert.deepEqual(ruleFor(ingressRules(defaults, "chatroom-mysql"), "mysql").from?.map(componentOf), [
      "logic",
      "migrate",
    ]);
    assert.deepEqual(ruleFor(ingressRules(defaults, "chatroom-redis"), "redis").from?.map(componentOf), [
      "logic",
      "comet",
      "job",
    ]);
    const kafka = findManifest(defaults, "Kafka", "chatroom").spec as {
      kafka: {
        listeners: Array<{ networkPolicyPeers: Array<{ podSelector: { matchLabels: Record<string, string> } }> }>;
      };
    };
    assert.deepEqual(kafka.kafka.listeners[0]?.networkPolicyPeers.map(componentOf), ["logic", "job"]);
  });

  it("makes every NetworkPolicy that opens ports select the pods that have them", async () => {
    const manifests = await helmTemplate(DEFAULTS);
    const opening = manifests.filter((m) => m.kind === "NetworkPolicy" && (m.spec as { ingress?: unknown }).ingress);
    assert.ok(opening.length >= 5, "comet, logic, web, mysql and redis open ports");
    for (const policy of opening) {
      const spec = policy.spec as { podSelector: { matchLabels: Record<string, string> }; ingress: PolicyRule[] };
      const selected = workloads(manifests).filter((w) =>
        selects(spec.podSelector.matchLabels, podTemplate(w).metadata.labels),
      );
      assert.equal(selected.length, 1, `${policy.metadata.name} selects one workload`);
      const ports = podTemplate(selected[0] as Manifest).spec.containers.flatMap((c) => c.ports?.map((p) => p.name));
      for (const rule of spec.ingress)
        for (const port of rule.ports ?? []) assert.ok(ports.includes(String(port.port)));
    }
  });

  it("gives only job an API token, allowed to read EndpointSlices and nothing else", async () => {
    const manifests = await helmTemplate(DEFAULTS);
    for (const workload of workloads(manifests)) {
      const spec = podTemplate(workload).spec;
      const component = workload.metadata.labels?.["app.kubernetes.io/component"];
      assert.equal(spec.automountServiceAccountToken, component === "job", `${workload.metadata.name} token`);
    }
    assert.equal(podTemplate(componentWorkload(manifests, "job") as Manifest).spec.serviceAccountName, "chatroom-job");
    const role = findManifest(manifests, "Role", "chatroom-job");
    assert.deepEqual(role.rules, [
      { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] },
    ]);
    const external = await helmTemplate(EXTERNAL);
    assert.equal(external.filter((m) => m.kind === "Role").length, 0, "no RBAC without discovery");
    assert.equal(podTemplate(componentWorkload(external, "job") as Manifest).spec.automountServiceAccountToken, false);
  });

  it("runs every container as non-root with a read-only root filesystem, chatroom's with a writable /tmp", async () => {
    for (const values of [DEFAULTS, PRODUCTION]) {
      const manifests = await helmTemplate(values);
      for (const workload of workloads(manifests)) {
        const template = podTemplate(workload) as unknown as {
          spec: {
            securityContext: { runAsNonRoot: boolean };
            containers: Array<{
              securityContext: Record<string, unknown>;
              volumeMounts?: Array<{ mountPath: string }>;
            }>;
          };
        };
        assert.equal(template.spec.securityContext.runAsNonRoot, true, workload.metadata.name);
        for (const c of template.spec.containers) {
          assert.equal(c.securityContext.readOnlyRootFilesystem, true, workload.metadata.name);
          assert.equal(c.securityContext.allowPrivilegeEscalation, false);
          assert.deepEqual(c.securityContext.capabilities, { drop: ["ALL"] });
          if (!["mysql", "redis"].includes(workload.metadata.labels?.["app.kubernetes.io/component"] ?? "")) {
            assert.ok(
              c.volumeMounts?.some((m) => m.mountPath === "/tmp"),
              `${workload.metadata.name} has /tmp`,
            );
          }
        }
      }
    }
  });

  it("labels every object with the app.kubernetes.io labels and each component's objects with its component", async () => {
    const manifests = await helmTemplate(PRODUCTION);
    for (const manifest of manifests) {
      const labels = manifest.metadata.labels ?? {};
      for (const key of ["name", "instance", "version", "managed-by", "part-of"]) {
        assert.ok(labels[`app.kubernetes.io/${key}`], `${manifest.kind}/${manifest.metadata.name} has ${key}`);
      }
    }
    for (const workload of workloads(manifests)) {
      const selector = (workload.spec as { selector?: { matchLabels: Record<string, string> } }).selector;
      const labels = podTemplate(workload).metadata.labels;
      assert.ok(labels["app.kubernetes.io/component"], `${workload.metadata.name} pods have a component`);
      if (selector) assert.ok(selects(selector.matchLabels, labels), `${workload.metadata.name} selects its pods`);
    }
  });

  it("runs the migrations as a pre-install, pre-upgrade and pre-rollback hook with no API token", async () => {
    const job = findManifest(await helmTemplate(PRODUCTION), "Job", "chatroom-migrate");
    assert.equal(job.metadata.annotations?.["helm.sh/hook"], "pre-install,pre-upgrade,pre-rollback");
    assert.equal(job.metadata.annotations?.["helm.sh/hook-delete-policy"], "before-hook-creation,hook-succeeded");
    const spec = podTemplate(job).spec;
    assert.equal(spec.automountServiceAccountToken, false);
    assert.equal(spec.serviceAccountName, undefined, "the chart's accounts do not exist before install");
    assert.deepEqual(spec.containers[0]?.env?.[0]?.valueFrom?.secretKeyRef, { name: "chatroom-mysql", key: "url" });
  });

  it("creates a KRaft Kafka, its node pools and the push topic through Strimzi, or uses the brokers it is given", async () => {
    const manifests = await helmTemplate(PRODUCTION);
    const kafka = findManifest(manifests, "Kafka", "chatroom-kafka");
    assert.equal(kafka.apiVersion, "kafka.strimzi.io/v1");
    assert.equal((kafka.spec as Record<string, unknown>).zookeeper, undefined);
    const pools = manifests.filter((m) => m.kind === "KafkaNodePool");
    assert.deepEqual(
      pools.map((p) => [
        p.metadata.name,
        p.metadata.labels?.["strimzi.io/cluster"],
        (p.spec as { roles: string[] }).roles,
      ]),
      [
        ["chatroom-controllers", "chatroom-kafka", ["controller"]],
        ["chatroom-brokers", "chatroom-kafka", ["broker"]],
      ],
    );
    const topic = findManifest(manifests, "KafkaTopic", "chatroom-kafka-chatroom-push");
    assert.deepEqual(topic.spec, {
      topicName: "chatroom-push",
      partitions: 24,
      replicas: 3,
      config: { "retention.ms": 172800000, "min.insync.replicas": 2 },
    });
    const external = await helmTemplate(EXTERNAL);
    assert.deepEqual(
      external.filter((m) => m.apiVersion.startsWith("kafka.strimzi.io")),
      [],
    );
    for (const component of ["logic", "job"]) {
      assert.equal(
        (findManifest(external, "ConfigMap", `chatroom-${component}`).data as Record<string, string>)
          .CHATROOM_KAFKA_BROKERS,
        "kafka-0.kafka.data.svc:9092,kafka-1.kafka.data.svc:9092",
      );
    }
  });

  it("ships the observability work's alert rules and dashboard, and scrapes the admin ports by component", async () => {
    const manifests = await helmTemplate(PRODUCTION);
    const rule = findManifest(manifests, "PrometheusRule", "chatroom");
    const groups = parse(readFileSync(join(chartDir, "files/prometheus-rules.yaml"), "utf8")) as unknown[];
    assert.ok(Array.isArray(groups) && groups.length > 0);
    assert.deepEqual((rule.spec as { groups: unknown[] }).groups, groups);
    assert.equal(rule.metadata.labels?.release, "kube-prometheus-stack");

    const dashboard = findManifest(manifests, "ConfigMap", "chatroom-dashboard");
    assert.equal(dashboard.metadata.labels?.grafana_dashboard, "1");
    const json = JSON.parse((dashboard.data as Record<string, string>)["chatroom.json"] ?? "") as { title: string };
    const file = JSON.parse(readFileSync(join(chartDir, "files/grafana-dashboard.json"), "utf8")) as { title: string };
    assert.deepEqual(json, file);

    const monitor = findManifest(manifests, "ServiceMonitor", "chatroom").spec as {
      jobLabel: string;
      selector: { matchLabels: Record<string, string> };
      endpoints: Array<{ port: string; path: string }>;
    };
    assert.equal(monitor.jobLabel, "app.kubernetes.io/component");
    assert.deepEqual(
      monitor.endpoints.map((e) => [e.port, e.path]),
      [["admin", "/metrics"]],
    );
    const scraped = manifests.filter(
      (m) => m.kind === "Service" && selects(monitor.selector.matchLabels, m.metadata.labels ?? {}),
    );
    assert.deepEqual(scraped.map((s) => s.metadata.labels?.["app.kubernetes.io/component"]).sort(), [
      "comet",
      "job",
      "logic",
    ]);
    const defaults = await helmTemplate(DEFAULTS);
    assert.deepEqual(
      defaults.filter(
        (m) => ["ServiceMonitor", "PrometheusRule"].includes(m.kind) || m.metadata.name.endsWith("-dashboard"),
      ),
      [],
      "monitoring objects are off by default",
    );
  });

  it("catches a setting that no service reads (the agreement check has teeth)", async () => {
    const manifests = await helmTemplate(withSet(DEFAULTS, { "comet.env.CHATROOM_COMET_WS_PROT": "1" }));
    const env = containerEnv(manifests, container(manifests, "comet"), {
      fields: { "metadata.name": "p", "status.podIP": "1.2.3.4", "metadata.namespace": "n" },
      secrets: () => "",
    });
    assert.deepEqual(unknownSettings(env.keys(), SCHEMAS.comet), ["CHATROOM_COMET_WS_PROT"]);
  });
});
