// The chart and the services cannot drift apart: for every supported values set, each container's environment (as the
// kubelet would resolve it) names only settings of that service's config schemas and loads through them; its ports,
// probes and addresses are the ones that configuration makes the service use.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadBackendConfig } from "@chatroom/backends";
import { cometProcessConfigSchema } from "@chatroom/comet";
import { type ConfigOf, loadConfig } from "@chatroom/core";
import { loadLogicConfig, logicProcessConfigSchema } from "@chatroom/logic";
import { discoveryEnabled, kubernetesDiscoveryConfigSchema } from "../../services/job/src/k8s/index.ts";
import { findManifest, helmTemplate, type Manifest, NAMESPACE, supportedValues } from "./support/helm.ts";
import {
  type Container,
  componentWorkload,
  containerEnv,
  type PodContext,
  podTemplate,
  portNamed,
  resolvePort,
  selects,
} from "./support/pods.ts";
import { ALL_IN_ONE_SCHEMAS, SCHEMAS, type Schema, unknownSettings } from "./support/service-schemas.ts";
import { repoRoot } from "./support/tools.ts";

const POD = { name: "chatroom-comet-0", ip: "10.1.2.3" };
const context: PodContext = {
  fields: { "metadata.name": POD.name, "status.podIP": POD.ip, "metadata.namespace": NAMESPACE },
  secrets(ref, variable) {
    const standIns: Record<string, string> = {
      CHATROOM_TOKEN_SECRET: "t".repeat(48),
      CHATROOM_API_KEYS: "key-one,key-two",
      CHATROOM_MYSQL_URL: "mysql://chatroom:secret@mysql.example:3306/chatroom",
      CHATROOM_REDIS_URL: "redis://:secret@redis.example:6379/0",
      MYSQL_PASSWORD: "secret",
      CHATROOM_KAFKA_PASSWORD: "kafka-secret",
      CHATROOM_GOIM_HMAC_SECRET: "g".repeat(48),
    };
    const value = standIns[variable];
    if (value === undefined) throw new Error(`no stand-in for ${variable} (Secret ${ref.name}, key ${ref.key})`);
    return value;
  },
};

interface Rendered {
  manifests: Manifest[];
  container(component: string): { container: Container; env: Map<string, string>; labels: Record<string, string> };
}

async function render(values: (typeof CASES)[number]): Promise<Rendered> {
  const manifests = await helmTemplate(values);
  return {
    manifests,
    container(component) {
      const workload = componentWorkload(manifests, component);
      if (!workload) throw new Error(`no ${component} workload rendered`);
      const template = podTemplate(workload);
      const container = template.spec.containers[0];
      if (!container) throw new Error(`${component} has no container`);
      return { container, env: containerEnv(manifests, container, context), labels: template.metadata.labels };
    },
  };
}

function envRecord(env: Map<string, string>): Record<string, string> {
  return Object.fromEntries(env);
}

/** Loads every schema of the process from the container's environment; the parsers throw on a bad value. */
function loadAll(schemas: Schema[], env: Map<string, string>): Record<string, unknown> {
  return Object.assign({}, ...schemas.map((schema) => loadConfig(schema, envRecord(env))));
}

function serviceNamed(manifests: Manifest[], name: string): { spec: ServiceSpec; manifest: Manifest } {
  const manifest = findManifest(manifests, "Service", name);
  return { manifest, spec: manifest.spec as ServiceSpec };
}

interface ServiceSpec {
  clusterIP?: string;
  selector?: Record<string, string>;
  ports: Array<{ name?: string; port: number; targetPort?: string | number }>;
}

/** "host:port" → [host, port]. */
function splitAddress(address: string): [string, number] {
  const at = address.lastIndexOf(":");
  return [address.slice(0, at), Number(address.slice(at + 1))];
}

const CASES = supportedValues();

for (const values of CASES) {
  describe(`the chart rendered from ${values.name} agrees with the services`, () => {
    it("migrates the schema in a hook Job (and in logic at the first start with the in-cluster MySQL)", async () => {
      const rendered = await render(values);
      const hook = componentWorkload(rendered.manifests, "migrate");
      const logic = loadBackendConfig(envRecord(rendered.container("logic").env));
      const inCluster = rendered.manifests.some(
        (m) => m.kind === "StatefulSet" && m.metadata.name === "chatroom-mysql",
      );
      assert.ok(hook, "the migrations hook Job is rendered");
      assert.deepEqual(podTemplate(hook).spec.containers[0]?.args, ["migrate"]);
      // Before a rollback too: the older build's migrate refuses a newer schema, so the rollback stops there.
      const hooks = hook.metadata.annotations?.["helm.sh/hook"];
      if (inCluster) {
        // The in-cluster MySQL does not exist before install: logic migrates at its first start.
        assert.equal(hooks, "pre-upgrade,pre-rollback");
        assert.equal(logic.mysqlMigrate, true);
      } else {
        assert.equal(hooks, "pre-install,pre-upgrade,pre-rollback");
        assert.equal(logic.mysqlMigrate, false);
      }
    });

    for (const component of ["comet", "logic", "job", "migrate"] as const) {
      it(`sets only ${component}'s own settings, each with a value its schema accepts`, async () => {
        const rendered = await render(values);
        if (component === "migrate" && !componentWorkload(rendered.manifests, "migrate")) {
          assert.fail("no migrations Job rendered");
        }
        const { env } = rendered.container(component);
        assert.deepEqual(unknownSettings(env.keys(), SCHEMAS[component]), [], `${component} sets unread variables`);
        for (const [name, value] of env) {
          assert.ok(!value.includes("$("), `${name}=${value} refers to a variable not defined before it`);
        }
        loadAll(SCHEMAS[component], env);
        if (component !== "migrate") loadBackendConfig(envRecord(env));
        if (component === "logic") loadLogicConfig(envRecord(env));
        if (component === "job")
          discoveryEnabled(loadConfig(kubernetesDiscoveryConfigSchema, envRecord(env)), {
            ...envRecord(env),
            KUBERNETES_SERVICE_HOST: "10.96.0.1",
          });
      });
    }

    it("exposes the ports the services listen on, on all interfaces, and probes their admin servers", async () => {
      const rendered = await render(values);
      const expected = {
        comet: (c: ConfigOf<typeof cometProcessConfigSchema>) => ({ websocket: c.wsPort, grpc: c.grpcPort }),
        logic: (c: ConfigOf<typeof logicProcessConfigSchema>) => ({ http: c.httpPort, grpc: c.grpcPort }),
        job: () => ({}),
      };
      for (const component of ["comet", "logic", "job"] as const) {
        const { container, env } = rendered.container(component);
        const config = loadAll(SCHEMAS[component], env);
        const listening =
          component === "comet"
            ? expected.comet(loadConfig(cometProcessConfigSchema, envRecord(env)))
            : component === "logic"
              ? expected.logic(loadConfig(logicProcessConfigSchema, envRecord(env)))
              : expected.job();
        for (const [name, port] of Object.entries(listening)) assert.equal(portNamed(container, name), port, name);
        if (component !== "job") assert.equal(config.host, "0.0.0.0", `${component} listens on every interface`);
        assert.equal(config.adminHost, "0.0.0.0", `${component}'s admin server is reachable by the kubelet`);
        assert.equal(portNamed(container, "admin"), config.adminPort, `${component} admin port`);
        assert.deepEqual(
          {
            path: container.livenessProbe?.httpGet?.path,
            port: resolvePort(container, container.livenessProbe?.httpGet?.port ?? ""),
          },
          { path: "/healthz", port: config.adminPort },
        );
        assert.deepEqual(
          {
            path: container.readinessProbe?.httpGet?.path,
            port: resolvePort(container, container.readinessProbe?.httpGet?.port ?? ""),
          },
          { path: "/readyz", port: config.adminPort },
        );
      }
    });

    it("exposes the goim compatibility listeners it configures, through Services of their own", async () => {
      const rendered = await render(values);
      const listeners = [
        { component: "comet", setting: "goimWsListen", port: "goim-sub" },
        { component: "logic", setting: "goimHttpListen", port: "goim-http" },
      ] as const;
      for (const { component, setting, port } of listeners) {
        const { container, env, labels } = rendered.container(component);
        const listen = loadAll(SCHEMAS[component], env)[setting] as { host: string; port: number } | null;
        if (listen === null) {
          assert.ok(
            !container.ports?.some((p) => p.name === port),
            `${component} exposes no ${port} without the listener`,
          );
          continue;
        }
        assert.equal(listen.host, "0.0.0.0", `${component}'s goim listener listens on every interface`);
        assert.equal(portNamed(container, port), listen.port, `${component} ${port}`);
        const services = rendered.manifests
          .filter((m) => m.kind === "Service")
          .map((m) => m.spec as ServiceSpec)
          .filter((spec) => selects(spec.selector, labels));
        assert.ok(
          services.some((spec) => spec.ports.some((p) => p.targetPort === port)),
          `a Service of ${component} targets ${port}`,
        );
      }
    });

    it("gives each comet its pod name as id and its stable DNS name under the headless Service as gRPC address", async () => {
      const rendered = await render(values);
      const { container, env, labels } = rendered.container("comet");
      const config = loadConfig(cometProcessConfigSchema, envRecord(env));
      assert.equal(env.get("CHATROOM_COMET_ID"), POD.name);
      const statefulSet = findManifest(rendered.manifests, "StatefulSet", "chatroom-comet");
      const headlessName = (statefulSet.spec as { serviceName: string }).serviceName;
      const [host, port] = splitAddress(config.grpcAdvertise);
      assert.equal(host, `${POD.name}.${headlessName}.${NAMESPACE}.svc`);
      assert.equal(port, config.grpcPort);
      const headless = serviceNamed(rendered.manifests, headlessName).spec;
      assert.equal(headless.clusterIP, "None");
      assert.ok(selects(headless.selector, labels), "the headless Service selects the comets");
      assert.ok(headless.ports.some((p) => resolvePort(container, p.targetPort ?? p.port) === config.grpcPort));
      // job watches the EndpointSlices of that same Service.
      const job = rendered.container("job").env;
      assert.equal(job.get("CHATROOM_JOB_K8S_COMET_SERVICE"), headlessName);
      assert.equal(job.get("CHATROOM_JOB_K8S_NAMESPACE"), NAMESPACE);
    });

    it("points comets at the logics' gRPC through a headless Service that selects them", async () => {
      const rendered = await render(values);
      const config = loadConfig(cometProcessConfigSchema, envRecord(rendered.container("comet").env));
      const logic = rendered.container("logic");
      const logicGrpcPort = loadConfig(logicProcessConfigSchema, envRecord(logic.env)).grpcPort;
      assert.equal(config.logicAddresses.length, 1);
      const [host, port] = splitAddress((config.logicAddresses[0] ?? "").replace(/^dns:\/\/\//, ""));
      const [serviceName, namespace, svc] = host.split(".");
      assert.deepEqual([namespace, svc], [NAMESPACE, "svc"]);
      assert.equal(port, logicGrpcPort);
      const service = serviceNamed(rendered.manifests, serviceName ?? "").spec;
      assert.equal(service.clusterIP, "None", "a headless Service, so that comets balance over every logic");
      assert.ok(selects(service.selector, logic.labels));
      assert.ok(
        service.ports.some(
          (p) => p.port === logicGrpcPort && resolvePort(logic.container, p.targetPort ?? p.port) === logicGrpcPort,
        ),
      );
    });

    it("points the services at the Kafka, MySQL and Redis the chart deploys or names", async () => {
      const rendered = await render(values);
      const logic = rendered.container("logic");
      const backends = loadBackendConfig(envRecord(logic.env));
      const topic = rendered.manifests.find((m) => m.kind === "KafkaTopic");
      if (topic) {
        const spec = topic.spec as { topicName: string; partitions: number; replicas: number };
        assert.deepEqual(
          [backends.kafkaTopic, backends.kafkaPartitions, backends.kafkaReplicationFactor],
          [spec.topicName, spec.partitions, spec.replicas],
        );
        const cluster = topic.metadata.labels?.["strimzi.io/cluster"] ?? "";
        const kafka = findManifest(rendered.manifests, "Kafka", cluster);
        const listeners = (kafka.spec as { kafka: { listeners: Array<{ port: number; tls: boolean }> } }).kafka
          .listeners;
        const plain = listeners.find((l) => !l.tls);
        assert.deepEqual(backends.kafkaBrokers, [`${cluster}-kafka-bootstrap.${NAMESPACE}.svc:${plain?.port}`]);
        const job = rendered.container("job");
        const jobWorkload = componentWorkload(rendered.manifests, "job");
        assert.ok(jobWorkload);
        const jobReplicas = (jobWorkload.spec as { replicas: number }).replicas;
        assert.ok(jobReplicas <= spec.partitions, "no more jobs than partitions");
        assert.deepEqual(loadBackendConfig(envRecord(job.env)).kafkaBrokers, backends.kafkaBrokers);
      }
      for (const [store, url] of [
        ["mysql", backends.mysqlUrl],
        ["redis", backends.redisUrl],
      ] as const) {
        const deployed = rendered.manifests.find(
          (m) => m.kind === "StatefulSet" && m.metadata.name === `chatroom-${store}`,
        );
        if (!deployed) continue;
        const parsed = new URL(url);
        const [serviceName, namespace] = parsed.hostname.split(".");
        assert.equal(namespace, NAMESPACE);
        const service = serviceNamed(rendered.manifests, serviceName ?? "").spec;
        assert.ok(selects(service.selector, podTemplate(deployed).metadata.labels), `${store} Service selects it`);
        assert.ok(
          service.ports.some((p) => p.port === Number(parsed.port)),
          `${store} Service port`,
        );
      }
    });

    it("gives comet and logic time to drain before Kubernetes kills them", async () => {
      const rendered = await render(values);
      for (const component of ["comet", "logic", "job"] as const) {
        const workload = componentWorkload(rendered.manifests, component);
        assert.ok(workload);
        const { container, env } = rendered.container(component);
        const config = loadAll(SCHEMAS[component], env) as { shutdownTimeoutMs: number };
        const preStop = Number(container.lifecycle?.preStop?.exec?.command.at(-1) ?? 0);
        const grace = podTemplate(workload).spec.terminationGracePeriodSeconds ?? 30;
        assert.ok(grace * 1000 >= preStop * 1000 + config.shutdownTimeoutMs, `${component}: grace ${grace} s`);
      }
    });
  });
}

describe("the image's own defaults", () => {
  it("name only settings the services read", () => {
    const dockerfile = readFileSync(join(repoRoot, "Dockerfile"), "utf8");
    const names = [...dockerfile.matchAll(/\b(CHATROOM_[A-Z0-9_]+)=/g)].map((m) => m[1] ?? "");
    assert.ok(names.length > 0);
    assert.deepEqual(unknownSettings(names, [...Object.values(SCHEMAS).flat(), ...ALL_IN_ONE_SCHEMAS]), []);
  });
});
