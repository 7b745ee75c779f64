// The discovery's real @kubernetes/client-node informer against an HTTP server on 127.0.0.1 that speaks the
// Kubernetes list+watch protocol for EndpointSlices (support/fake-endpoint-slice-api.ts).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type CometRegistry, MemoryCometRegistry } from "@chatroom/core";
import { eventually } from "@chatroom/core/testing";
import { KubeConfig } from "@kubernetes/client-node";
import { kubernetesAwareRegistry } from "../../services/job/src/k8s/index.ts";
import {
  cometEndpoint,
  cometInfo,
  HEADLESS,
  NOT_READY,
  READY,
  recorder,
  TERMINATING_DRAINING,
  TERMINATING_SERVING,
} from "./support/comets.ts";
import { FakeEndpointSliceApi } from "./support/fake-endpoint-slice-api.ts";

const NAMESPACE = "chatroom";
const TOKEN = "job-token";
const LONG = 60_000;

function kubeConfigFor(server: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: "fake", server, skipTLSVerify: true }],
    users: [{ name: "job", token: TOKEN }],
    contexts: [{ name: "fake", cluster: "fake", user: "job", namespace: NAMESPACE }],
    currentContext: "fake",
  });
  return config;
}

const inCluster = {
  KUBERNETES_SERVICE_HOST: "10.96.0.1",
  CHATROOM_JOB_K8S_DISCOVERY: "on",
  CHATROOM_JOB_K8S_COMET_SERVICE: HEADLESS,
};

describe("Kubernetes-aware discovery over the list+watch protocol", () => {
  let api: FakeEndpointSliceApi;

  before(async () => {
    api = new FakeEndpointSliceApi(NAMESPACE);
    await api.start();
  });

  after(async () => {
    await api.close();
  });

  async function openRegistry(errors: unknown[] = []): Promise<CometRegistry> {
    const inner = new MemoryCometRegistry();
    for (const index of [0, 1, 2]) await inner.register(cometInfo(index), LONG);
    return kubernetesAwareRegistry(inner, {
      env: inCluster,
      kubeConfig: kubeConfigFor(api.url),
      onError: (error) => errors.push(error),
      restartDelayMs: 50,
    });
  }

  it("follows the comets' readiness as the watch reports it, and leaves out comets whose pods are gone", async () => {
    api.put({ name: "comets-a", service: HEADLESS, endpoints: [cometEndpoint(0, READY), cometEndpoint(1, READY)] });
    api.put({ name: "other", service: "another-service", endpoints: [cometEndpoint(2, READY)] });
    const registry = await openRegistry();
    const watcher = recorder();
    const watch = await registry.watch(watcher.listener);
    // In sync after the list: comet 2 is registered but has no pod behind the comets' Service.
    await eventually(() => assert.deepEqual(watcher.last(), ["chatroom-comet-0", "chatroom-comet-1"]));

    api.put({ name: "comets-a", service: HEADLESS, endpoints: [cometEndpoint(0, READY), cometEndpoint(1, NOT_READY)] });
    await eventually(() => assert.deepEqual(watcher.last(), ["chatroom-comet-0"]));
    api.put({ name: "comets-a", service: HEADLESS, endpoints: [cometEndpoint(0, READY), cometEndpoint(1, READY)] });
    await eventually(() => assert.deepEqual(watcher.last(), ["chatroom-comet-0", "chatroom-comet-1"]));

    // A deleted pod: routed to during its preStop sleep (still serving), dropped when it drains, then unlisted.
    api.put({
      name: "comets-a",
      service: HEADLESS,
      endpoints: [cometEndpoint(0, READY), cometEndpoint(1, TERMINATING_SERVING)],
    });
    api.put({ name: "comets-b", service: HEADLESS, endpoints: [cometEndpoint(2, READY)] });
    await eventually(() =>
      assert.deepEqual(watcher.last(), ["chatroom-comet-0", "chatroom-comet-1", "chatroom-comet-2"]),
    );
    api.put({
      name: "comets-a",
      service: HEADLESS,
      endpoints: [cometEndpoint(0, READY), cometEndpoint(1, TERMINATING_DRAINING)],
    });
    await eventually(() => assert.deepEqual(watcher.last(), ["chatroom-comet-0", "chatroom-comet-2"]));
    api.put({ name: "comets-a", service: HEADLESS, endpoints: [cometEndpoint(0, READY)] });
    api.remove("comets-b");
    await eventually(() => assert.deepEqual(watcher.last(), ["chatroom-comet-0"]));
    assert.deepEqual(
      (await registry.list()).map((c) => c.id),
      ["chatroom-comet-0"],
    );

    const requests = api.requests.filter((r) => r.path.endsWith("/endpointslices"));
    assert.ok(requests.some((r) => r.query.get("watch") === "true"));
    for (const request of requests) {
      assert.equal(request.query.get("labelSelector"), `kubernetes.io/service-name=${HEADLESS}`);
      assert.equal(request.authorization, `Bearer ${TOKEN}`);
    }
    await watch.close();
    await registry.close();
  });

  it("picks the watch up again from its resourceVersion when the server ends the stream", async () => {
    api.put({ name: "comets-a", service: HEADLESS, endpoints: [cometEndpoint(0, READY), cometEndpoint(1, READY)] });
    const registry = await openRegistry();
    const watcher = recorder();
    const watch = await registry.watch(watcher.listener);
    await eventually(() => assert.deepEqual(watcher.last(), ["chatroom-comet-0", "chatroom-comet-1"]));
    await eventually(() => assert.equal(api.watchCount(), 1));
    const watchesBefore = api.requests.filter((r) => r.query.get("watch") === "true").length;
    api.endWatches();
    // Sent while no watch is open: the next watch replays it from the resourceVersion it resumes at.
    api.put({ name: "comets-a", service: HEADLESS, endpoints: [cometEndpoint(0, READY), cometEndpoint(1, NOT_READY)] });
    await eventually(() => assert.deepEqual(watcher.last(), ["chatroom-comet-0"]));
    const rewatches = api.requests.filter((r) => r.query.get("watch") === "true").slice(watchesBefore);
    assert.ok(rewatches.length >= 1);
    assert.notEqual(rewatches[0]?.query.get("resourceVersion"), "");
    await watch.close();
    await registry.close();
  });

  it("routes on the registry alone while the API server fails, and filters again once it answers", async () => {
    api.put({ name: "comets-a", service: HEADLESS, endpoints: [cometEndpoint(0, READY), cometEndpoint(1, NOT_READY)] });
    api.failNextRequests(3);
    const errors: unknown[] = [];
    const registry = await openRegistry(errors);
    const watcher = recorder();
    const watch = await registry.watch(watcher.listener);
    // Out of sync: every registered comet, even the one Kubernetes will report not ready.
    await eventually(() =>
      assert.deepEqual(watcher.calls[0]?.map((c) => c.id).sort(), [
        "chatroom-comet-0",
        "chatroom-comet-1",
        "chatroom-comet-2",
      ]),
    );
    await eventually(() => assert.deepEqual(watcher.last(), ["chatroom-comet-0"]));
    assert.ok(errors.length >= 1, "the failed lists were reported");
    await watch.close();
    await registry.close();
  });
});
