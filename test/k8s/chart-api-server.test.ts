// The rendered chart against a real kube-apiserver (with etcd, both built by scripts/k8s/install-tools.sh): every
// object of every supported values set passes a server-side dry-run with strict field validation, the custom
// resources against the Strimzi 1.2.0 and prometheus-operator 0.93.0 CRDs vendored in k8s/crds, and job's RBAC grants
// what its discovery reads and nothing else.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { parseAllDocuments } from "yaml";
import {
  chartDir,
  findManifest,
  helmTemplate,
  helmWithCluster,
  type Manifest,
  NAMESPACE,
  supportedValues,
  type ValuesCase,
  valuesArguments,
} from "./support/helm.ts";
import { KubeApiError, type KubeObject } from "./support/kube-api.ts";
import { type KubeApiServer, serviceAccountUser, startKubeApiServer } from "./support/kube-apiserver.ts";
import { crdDirs } from "./support/tools.ts";

const JOB_USER = serviceAccountUser(NAMESPACE, "chatroom-job");

interface Crd extends KubeObject {
  status?: { conditions?: Array<{ type: string; status: string }> };
}

function readCrds(): Crd[] {
  const crds: Crd[] = [];
  for (const dir of crdDirs) {
    for (const file of readdirSync(dir).filter((name) => name.endsWith(".yaml"))) {
      for (const document of parseAllDocuments(readFileSync(join(dir, file), "utf8"))) {
        const value = document.toJS() as Crd | null;
        if (value?.kind === "CustomResourceDefinition") crds.push(value);
      }
    }
  }
  return crds;
}

async function waitEstablished(server: KubeApiServer, crd: Crd): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const current = await server.admin.read<Crd>(crd);
    if (current.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")) return;
    await sleep(100);
  }
  throw new Error(`CRD ${crd.metadata.name} was not established`);
}

/** `helm upgrade` of the release in `namespace`; no controller runs here, so the migrations hook Job is skipped. */
function upgradeWithoutHooks(server: KubeApiServer, namespace: string, values: ValuesCase, set: string[]) {
  const args = ["upgrade", "chatroom", chartDir, "-n", namespace, ...valuesArguments(values), ...set, "--no-hooks"];
  return helmWithCluster(server.kubeconfig, args);
}

/** Creates an object in the chart's namespace unless it exists already. */
async function createOnce(server: KubeApiServer, manifest: Manifest): Promise<void> {
  await server.admin.create(manifest as KubeObject, { namespace: NAMESPACE }).catch((error: unknown) => {
    if (!(error instanceof KubeApiError && error.status === 409)) throw error;
  });
}

/** Every object the API server refuses, as "Kind/name: reason". */
async function dryRunAll(server: KubeApiServer, manifests: Manifest[]): Promise<string[]> {
  const refused: string[] = [];
  // A Pod (the helm test) is admitted only when its ServiceAccount exists: the chart's accounts are created for real
  // (with the same strict validation) instead of dry-run.
  for (const account of manifests.filter((m) => m.kind === "ServiceAccount")) await createOnce(server, account);
  for (const manifest of manifests.filter((m) => m.kind !== "ServiceAccount")) {
    try {
      await server.admin.create(manifest as KubeObject, { namespace: NAMESPACE, dryRun: true });
    } catch (error) {
      refused.push(`${manifest.kind}/${manifest.metadata.name}: ${(error as Error).message}`);
    }
  }
  return refused;
}

describe("the chart against a real kube-apiserver", () => {
  let server: KubeApiServer;

  before(async () => {
    server = await startKubeApiServer([JOB_USER]);
    const crds = readCrds();
    const kinds = crds.map((crd) => (crd.spec as { names: { kind: string } }).names.kind).sort();
    assert.deepEqual(kinds, [
      "Kafka",
      "KafkaNodePool",
      "KafkaTopic",
      "KafkaUser",
      "PodMonitor",
      "PrometheusRule",
      "ServiceMonitor",
    ]);
    for (const crd of crds) await server.admin.create(crd);
    for (const crd of crds) await waitEstablished(server, crd);
    await server.admin.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } });
  });

  after(async () => {
    await server?.stop();
  });

  for (const values of supportedValues()) {
    it(`accepts every object rendered from ${values.name} in a strict server-side dry-run`, async () => {
      const manifests = await helmTemplate(values);
      assert.ok(manifests.length > 10, `only ${manifests.length} objects rendered`);
      assert.deepEqual(await dryRunAll(server, manifests), []);
    });
  }

  it("refuses a misspelt field, in a core object and in a Strimzi resource alike (the check is really strict)", async () => {
    const manifests = await helmTemplate(supportedValues()[0] ?? { name: "default values", files: [] });
    const topic = structuredClone(findManifest(manifests, "KafkaTopic", "chatroom-chatroom-push"));
    const spec = topic.spec as Record<string, unknown>;
    spec.replica = spec.replicas;
    delete spec.replicas;
    const deployment = structuredClone(findManifest(manifests, "Deployment", "chatroom-logic"));
    (deployment.spec as Record<string, unknown>).replica = 2;
    const refused = await dryRunAll(server, [topic, deployment]);
    assert.equal(refused.length, 2, refused.join("\n"));
    assert.match(refused[0] ?? "", /KafkaTopic\/chatroom-chatroom-push: .*unknown field "spec\.replica"/);
    assert.match(refused[1] ?? "", /Deployment\/chatroom-logic: .*unknown field "spec\.replica"/);
  });

  it("installs with helm and prints how to create the Secret the services read", async () => {
    await server.admin.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "install-default" } });
    const output = await helmWithCluster(server.kubeconfig, ["install", "chatroom", chartDir, "-n", "install-default"]);
    assert.match(output, /STATUS: deployed/);
    assert.match(output, /kubectl -n install-default create secret generic chatroom \\/);
    assert.match(output, /--from-literal=token-secret=/);
    assert.match(output, /kubectl -n install-default wait kafka\/chatroom --for=condition=Ready/);
    const statefulSet = await server.admin.read({
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "chatroom-comet", namespace: "install-default" },
    });
    assert.equal(statefulSet.metadata.name, "chatroom-comet");
  });

  it("keeps the generated development secrets across a helm upgrade", async () => {
    const namespace = "install-dev";
    await server.admin.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
    const values = supportedValues().find((v) => v.name === "ci/external-kafka-values.yaml");
    assert.ok(values);
    const install = await helmWithCluster(server.kubeconfig, [
      "install",
      "chatroom",
      chartDir,
      "-n",
      namespace,
      ...valuesArguments(values),
    ]);
    assert.match(install, /DEVELOPMENT ONLY/);
    const secretRef = { apiVersion: "v1", kind: "Secret", metadata: { name: "chatroom", namespace } };
    const before = (await server.admin.read<KubeObject & { data: Record<string, string> }>(secretRef)).data;
    assert.ok(Buffer.from(before["token-secret"] ?? "", "base64").length >= 32);
    await upgradeWithoutHooks(server, namespace, values, ["--set", "config.logLevel=debug"]);
    const after = (await server.admin.read<KubeObject & { data: Record<string, string> }>(secretRef)).data;
    assert.deepEqual(after, before);
  });

  it("refuses an upgrade that would change an immutable StatefulSet field, naming the value and the way out", async () => {
    const namespace = "install-guards";
    await server.admin.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
    const values = supportedValues().find((v) => v.name === "ci/external-kafka-values.yaml");
    assert.ok(values);
    const upgrade = (set: string[]) => upgradeWithoutHooks(server, namespace, values, set);
    await helmWithCluster(server.kubeconfig, [
      "install",
      "chatroom",
      chartDir,
      "-n",
      namespace,
      ...valuesArguments(values),
    ]);
    await assert.rejects(
      upgrade(["--set", "comet.podManagementPolicy=OrderedReady"]),
      /comet\.podManagementPolicy cannot change from Parallel to OrderedReady.*--cascade=orphan/s,
    );
    await assert.rejects(
      upgrade(["--set", "mysql.persistence.size=16Gi"]),
      /mysql\.persistence\.size cannot change from 8Gi to 16Gi/,
    );
    await assert.rejects(
      upgrade(["--set", "mysql.persistence.enabled=false"]),
      /mysql\.persistence\.enabled cannot change/,
    );
    assert.match(await upgrade(["--set", "config.logLevel=debug"]), /STATUS: deployed/, "other changes still upgrade");
  });

  it("lets job's service account watch EndpointSlices in its namespace and read nothing else", async () => {
    const manifests = await helmTemplate(supportedValues()[0] ?? { name: "default values", files: [] });
    for (const kind of ["ServiceAccount", "Role", "RoleBinding"]) {
      for (const manifest of manifests.filter((m) => m.kind === kind)) await createOnce(server, manifest);
    }
    const job = server.as(JOB_USER.name);
    const slices = `/apis/discovery.k8s.io/v1/namespaces/${NAMESPACE}/endpointslices`;
    await job.json("GET", `${slices}?labelSelector=${encodeURIComponent("kubernetes.io/service-name=x")}`);
    const watch = await job.send("GET", `${slices}?watch=true&timeoutSeconds=1`);
    assert.equal(watch.status, 200);
    for (const forbidden of [
      `/api/v1/namespaces/${NAMESPACE}/secrets`,
      `/api/v1/namespaces/${NAMESPACE}/configmaps`,
      "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices",
    ]) {
      await assert.rejects(job.json("GET", forbidden), (error: unknown) => {
        assert.ok(error instanceof KubeApiError);
        assert.equal(error.status, 403, error.message);
        return true;
      });
    }
  });
});
