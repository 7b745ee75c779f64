import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type CometInfo, ConfigError, MemoryCometRegistry } from "@chatroom/core";
import { cometRegistryContract, eventually } from "@chatroom/core/testing";
import {
  type CometServing,
  type EndpointSource,
  KubernetesAwareRegistry,
  kubernetesAwareRegistry,
} from "../../services/job/src/k8s/index.ts";
import { cometInfo, ids, recorder } from "./support/comets.ts";

/** An EndpointSource the test drives: a serving verdict per comet id, or out of sync (null). */
class FakeSource implements EndpointSource {
  verdicts: Map<string, boolean> | null = null;
  closed = false;
  readonly #listeners = new Set<() => void>();

  set(verdicts: Map<string, boolean> | null): void {
    this.verdicts = verdicts;
    for (const listener of this.#listeners) listener();
  }

  current(): CometServing | null {
    const verdicts = this.verdicts;
    return verdicts === null ? null : { servingOf: (comet: Pick<CometInfo, "id">) => verdicts.get(comet.id) };
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** Says every comet is serving: the wrapper must then behave exactly as the registry contract says. */
const everyoneServing: EndpointSource = {
  current: () => ({ servingOf: () => true }),
  onChange: () => () => {},
  close: async () => {},
};

cometRegistryContract("KubernetesAwareRegistry over a MemoryCometRegistry, every comet serving", async () => {
  const registry = new KubernetesAwareRegistry(new MemoryCometRegistry(), everyoneServing);
  return { subject: registry, cleanup: () => registry.close() };
});

describe("KubernetesAwareRegistry", () => {
  const LONG = 60_000;

  it("hides the comets Kubernetes reports not ready or does not list, and shows them again when ready", async () => {
    const inner = new MemoryCometRegistry();
    const source = new FakeSource();
    const registry = new KubernetesAwareRegistry(inner, source);
    for (const index of [0, 1, 2]) await registry.register(cometInfo(index), LONG);
    const watcher = recorder();
    const watch = await registry.watch(watcher.listener);
    source.set(
      new Map([
        ["chatroom-comet-0", true],
        ["chatroom-comet-1", false],
      ]),
    );
    await eventually(() => assert.deepEqual(watcher.last(), ["chatroom-comet-0"]));
    assert.deepEqual(ids(await registry.list()), ["chatroom-comet-0"]);
    source.set(
      new Map([
        ["chatroom-comet-0", true],
        ["chatroom-comet-1", true],
        ["chatroom-comet-2", true],
      ]),
    );
    await eventually(() =>
      assert.deepEqual(watcher.last(), ["chatroom-comet-0", "chatroom-comet-1", "chatroom-comet-2"]),
    );
    // Still registered (its Redis entry has not expired), but its pod is gone.
    source.set(
      new Map([
        ["chatroom-comet-0", true],
        ["chatroom-comet-2", true],
      ]),
    );
    await eventually(() => assert.deepEqual(watcher.last(), ["chatroom-comet-0", "chatroom-comet-2"]));
    assert.deepEqual(ids(await inner.list()), ["chatroom-comet-0", "chatroom-comet-1", "chatroom-comet-2"]);
    await watch.close();
    await registry.close();
  });

  it("routes on the inner registry alone while the watch is out of sync", async () => {
    const source = new FakeSource();
    const registry = new KubernetesAwareRegistry(new MemoryCometRegistry(), source);
    await registry.register(cometInfo(0), LONG);
    await registry.register(cometInfo(1), LONG);
    const watcher = recorder();
    const watch = await registry.watch(watcher.listener);
    await eventually(() => assert.deepEqual(watcher.last(), ["chatroom-comet-0", "chatroom-comet-1"]));
    source.set(new Map([["chatroom-comet-0", true]]));
    await eventually(() => assert.deepEqual(watcher.last(), ["chatroom-comet-0"]));
    source.set(null);
    await eventually(() => assert.deepEqual(watcher.last(), ["chatroom-comet-0", "chatroom-comet-1"]));
    await watch.close();
    await registry.close();
  });

  it("tells a watcher only about changes of what it may route to", async () => {
    const source = new FakeSource();
    const registry = new KubernetesAwareRegistry(new MemoryCometRegistry(), source);
    source.set(
      new Map([
        ["chatroom-comet-0", true],
        ["chatroom-comet-1", false],
      ]),
    );
    await registry.register(cometInfo(0), LONG);
    const watcher = recorder();
    const watch = await registry.watch(watcher.listener);
    await eventually(() => assert.deepEqual(watcher.last(), ["chatroom-comet-0"]));
    await registry.register(cometInfo(1), LONG);
    source.set(
      new Map([
        ["chatroom-comet-0", true],
        ["chatroom-comet-1", false],
        ["chatroom-comet-9", true],
      ]),
    );
    await registry.register({ ...cometInfo(0), grpcAddress: "10.0.0.99:3109" }, LONG);
    await eventually(() => assert.equal(watcher.calls.at(-1)?.[0]?.grpcAddress, "10.0.0.99:3109"));
    assert.deepEqual(
      watcher.calls.map((call) => ids(call)),
      [["chatroom-comet-0"], ["chatroom-comet-0"]],
    );
    await watch.close();
    await registry.close();
  });

  it("closes the watch and the inner registry with itself", async () => {
    const inner = new MemoryCometRegistry();
    let innerClosed = false;
    const close = inner.close.bind(inner);
    inner.close = async () => {
      innerClosed = true;
      await close();
    };
    const source = new FakeSource();
    await new KubernetesAwareRegistry(inner, source).close();
    assert.equal(source.closed, true);
    assert.equal(innerClosed, true);
  });
});

describe("kubernetesAwareRegistry", () => {
  it("returns the inner registry itself outside a cluster, and when turned off in one", async () => {
    const inner = new MemoryCometRegistry();
    assert.equal(await kubernetesAwareRegistry(inner, { env: { CHATROOM_JOB_K8S_COMET_SERVICE: "comets" } }), inner);
    const inCluster = { KUBERNETES_SERVICE_HOST: "10.96.0.1", CHATROOM_JOB_K8S_COMET_SERVICE: "comets" };
    assert.equal(
      await kubernetesAwareRegistry(inner, { env: { ...inCluster, CHATROOM_JOB_K8S_DISCOVERY: "off" } }),
      inner,
    );
    assert.equal(await kubernetesAwareRegistry(inner, { env: { KUBERNETES_SERVICE_HOST: "10.96.0.1" } }), inner);
    await inner.close();
  });

  it("refuses settings that cannot work, naming the variable, and closes the registry it was given", async () => {
    const inner = new MemoryCometRegistry();
    let closes = 0;
    const close = inner.close.bind(inner);
    inner.close = async () => {
      closes++;
      await close();
    };
    await assert.rejects(
      kubernetesAwareRegistry(inner, {
        env: { CHATROOM_JOB_K8S_DISCOVERY: "on", CHATROOM_JOB_K8S_COMET_SERVICE: "c" },
      }),
      (error: unknown) => error instanceof ConfigError && /KUBERNETES_SERVICE_HOST/.test(error.message),
    );
    await assert.rejects(
      kubernetesAwareRegistry(inner, {
        env: { CHATROOM_JOB_K8S_DISCOVERY: "on", KUBERNETES_SERVICE_HOST: "10.96.0.1" },
      }),
      (error: unknown) => error instanceof ConfigError && /CHATROOM_JOB_K8S_COMET_SERVICE/.test(error.message),
    );
    await assert.rejects(
      kubernetesAwareRegistry(inner, { env: { CHATROOM_JOB_K8S_DISCOVERY: "yes" } }),
      (error: unknown) => error instanceof ConfigError && /CHATROOM_JOB_K8S_DISCOVERY/.test(error.message),
    );
    assert.equal(closes, 3);
  });
});
