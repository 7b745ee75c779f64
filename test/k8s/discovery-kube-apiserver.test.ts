// The discovery against a real kube-apiserver: authenticated as job's service account and authorized only by the
// chart's Role, it follows EndpointSlices written the way the EndpointSlice controller writes them for the comets.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { MemoryCometRegistry } from "@chatroom/core";
import { eventually } from "@chatroom/core/testing";
import { KubeConfig } from "@kubernetes/client-node";
import { kubernetesAwareRegistry } from "../../services/job/src/k8s/index.ts";
import {
  type Conditions,
  cometEndpoint,
  cometInfo,
  HEADLESS,
  NOT_READY,
  READY,
  recorder,
  TERMINATING_DRAINING,
} from "./support/comets.ts";
import { helmTemplate, NAMESPACE, supportedValues } from "./support/helm.ts";
import type { KubeObject } from "./support/kube-api.ts";
import { type KubeApiServer, serviceAccountUser, startKubeApiServer } from "./support/kube-apiserver.ts";

const JOB_USER = serviceAccountUser(NAMESPACE, "chatroom-job");

/** comet n's slice, one endpoint per pod as the controller writes it. */
function slice(name: string, endpoints: Array<[number, Conditions]>): KubeObject {
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name, namespace: NAMESPACE, labels: { "kubernetes.io/service-name": HEADLESS } },
    addressType: "IPv4",
    endpoints: endpoints.map(([index, conditions]) => cometEndpoint(index, conditions, NAMESPACE)),
    ports: [{ name: "grpc", port: 3109, protocol: "TCP" }],
  };
}

describe("Kubernetes-aware discovery against a real kube-apiserver", () => {
  let server: KubeApiServer;

  before(async () => {
    server = await startKubeApiServer([JOB_USER]);
    await server.admin.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: NAMESPACE } });
    // job's ServiceAccount, Role and RoleBinding exactly as the chart renders them.
    const manifests = await helmTemplate(supportedValues()[0] ?? { name: "default values", files: [] });
    for (const manifest of manifests.filter((m) => ["ServiceAccount", "Role", "RoleBinding"].includes(m.kind))) {
      await server.admin.create(manifest as KubeObject, { namespace: NAMESPACE });
    }
  });

  after(async () => {
    await server?.stop();
  });

  it("takes a comet out of routing when its pod turns unready or goes, and back when it is ready", async () => {
    await server.admin.create(
      slice("chatroom-comet-headless-abc12", [
        [0, READY],
        [1, READY],
      ]),
    );
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromClusterAndUser(
      { name: "local", server: server.url, caData: Buffer.from(server.ca).toString("base64"), skipTLSVerify: false },
      { name: JOB_USER.name, token: server.tokenOf(JOB_USER.name) },
    );
    const inner = new MemoryCometRegistry();
    for (const index of [0, 1, 2]) await inner.register(cometInfo(index, NAMESPACE), 60_000);
    const errors: unknown[] = [];
    const registry = await kubernetesAwareRegistry(inner, {
      env: {
        KUBERNETES_SERVICE_HOST: "127.0.0.1",
        CHATROOM_JOB_K8S_DISCOVERY: "on",
        CHATROOM_JOB_K8S_COMET_SERVICE: HEADLESS,
        CHATROOM_JOB_K8S_NAMESPACE: NAMESPACE,
      },
      kubeConfig,
      onError: (error) => errors.push(error),
    });
    const watcher = recorder();
    const watch = await registry.watch(watcher.listener);
    await eventually(() => assert.deepEqual(watcher.last(), ["chatroom-comet-0", "chatroom-comet-1"]), 15_000);

    await server.admin.replace(
      slice("chatroom-comet-headless-abc12", [
        [0, READY],
        [1, NOT_READY],
      ]),
    );
    await eventually(() => assert.deepEqual(watcher.last(), ["chatroom-comet-0"]), 15_000);

    await server.admin.replace(
      slice("chatroom-comet-headless-abc12", [
        [0, READY],
        [1, READY],
      ]),
    );
    await server.admin.create(slice("chatroom-comet-headless-def34", [[2, READY]]));
    await eventually(
      () => assert.deepEqual(watcher.last(), ["chatroom-comet-0", "chatroom-comet-1", "chatroom-comet-2"]),
      15_000,
    );

    await server.admin.replace(
      slice("chatroom-comet-headless-abc12", [
        [0, TERMINATING_DRAINING],
        [1, READY],
      ]),
    );
    await server.admin.remove(slice("chatroom-comet-headless-def34", []));
    await eventually(() => assert.deepEqual(watcher.last(), ["chatroom-comet-1"]), 15_000);
    assert.deepEqual(errors, []);

    await watch.close();
    await registry.close();
  });
});
