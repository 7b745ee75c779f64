import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { CometInfo, CometRegistry } from "../comet-registry/comet-registry.ts";
import { type ContractFactory, withSubject } from "./contract-subject.ts";
import { eventually } from "./polling.ts";

export interface CometRegistryContractOptions {
  /** The short TTL the expiry tests use, in real time (default 400 ms). */
  ttlMs?: number;
}

const LONG_TTL_MS = 60_000;

function comet(id: string, port = 9000): CometInfo {
  return { id, grpcAddress: `10.0.0.1:${port}`, wsUrl: `ws://10.0.0.1:${port + 1}/ws`, startedAtMs: 1_700_000_000_000 };
}

const ids = (comets: readonly CometInfo[]) => comets.map((info) => info.id).sort();

/** Records every set a watcher is given. */
function recorder(): { calls: CometInfo[][]; listener: (comets: CometInfo[]) => void } {
  const calls: CometInfo[][] = [];
  return { calls, listener: (comets) => calls.push(comets) };
}

/**
 * The CometRegistry contract (comet-registry.ts). `factory` must return an empty registry (a fresh key prefix for
 * Redis). Expiry is tested with short real TTLs.
 */
export function cometRegistryContract(
  name: string,
  factory: ContractFactory<CometRegistry>,
  options: CometRegistryContractOptions = {},
): void {
  const ttlMs = options.ttlMs ?? 400;

  describe(name, () => {
    it("lists registered comets with their info, and the latest info of a re-registered one", async () => {
      await withSubject(factory, async (registry) => {
        assert.deepEqual(await registry.list(), []);
        await registry.register(comet("comet-a"), LONG_TTL_MS);
        await registry.register(comet("comet-b", 9100), LONG_TTL_MS);
        const listed = await registry.list();
        assert.deepEqual(
          [...listed].sort((a, b) => (a.id < b.id ? -1 : 1)),
          [comet("comet-a"), comet("comet-b", 9100)],
        );
        await registry.register(comet("comet-a", 9200), LONG_TTL_MS);
        assert.deepEqual(
          (await registry.list()).find((info) => info.id === "comet-a"),
          comet("comet-a", 9200),
        );
      });
    });

    it("drops a comet that is not renewed within its TTL, and keeps one that is", async () => {
      await withSubject(factory, async (registry) => {
        await registry.register(comet("renewed"), ttlMs);
        await registry.register(comet("silent"), ttlMs);
        // Renewing every quarter TTL for 1.5 TTLs: it would have expired without the renewals.
        for (let i = 0; i < 6; i++) {
          await sleep(ttlMs / 4);
          await registry.register(comet("renewed"), ttlMs);
        }
        await eventually(async () => assert.deepEqual(ids(await registry.list()), ["renewed"]), ttlMs * 10);
      });
    });

    it("deregisters a comet, and ignores an unknown one", async () => {
      await withSubject(factory, async (registry) => {
        await registry.register(comet("comet-a"), LONG_TTL_MS);
        await registry.register(comet("comet-b"), LONG_TTL_MS);
        await registry.deregister("comet-a");
        assert.deepEqual(ids(await registry.list()), ["comet-b"]);
        await registry.deregister("comet-unknown");
        assert.deepEqual(ids(await registry.list()), ["comet-b"]);
      });
    });

    it("gives a watcher the live set at once and after every register, deregister and expiry", async () => {
      await withSubject(factory, async (registry) => {
        await registry.register(comet("comet-a"), LONG_TTL_MS);
        const { calls, listener } = recorder();
        const watch = await registry.watch(listener);
        await eventually(() => assert.deepEqual(ids(calls.at(-1) ?? []), ["comet-a"]));
        assert.deepEqual(calls[0], [comet("comet-a")]);
        await registry.register(comet("comet-b"), LONG_TTL_MS);
        await eventually(() => assert.deepEqual(ids(calls.at(-1) ?? []), ["comet-a", "comet-b"]));
        await registry.register(comet("comet-b", 9300), LONG_TTL_MS);
        await eventually(() =>
          assert.deepEqual(
            calls.at(-1)?.find((info) => info.id === "comet-b"),
            comet("comet-b", 9300),
          ),
        );
        await registry.deregister("comet-a");
        await eventually(() => assert.deepEqual(ids(calls.at(-1) ?? []), ["comet-b"]));
        await registry.register(comet("short-lived"), ttlMs);
        await eventually(() => assert.deepEqual(ids(calls.at(-1) ?? []), ["comet-b", "short-lived"]));
        await eventually(() => assert.deepEqual(ids(calls.at(-1) ?? []), ["comet-b"]), ttlMs * 10);
        await watch.close();
      });
    });

    it("gives a watcher of an empty registry an empty set, and stops calling a closed watcher", async () => {
      await withSubject(factory, async (registry) => {
        const closed = recorder();
        const open = recorder();
        const first = await registry.watch(closed.listener);
        const second = await registry.watch(open.listener);
        await eventually(() => assert.deepEqual(closed.calls, [[]]));
        await eventually(() => assert.deepEqual(open.calls, [[]]));
        await first.close();
        await registry.register(comet("comet-a"), LONG_TTL_MS);
        await eventually(() => assert.deepEqual(ids(open.calls.at(-1) ?? []), ["comet-a"]));
        assert.deepEqual(closed.calls, [[]]);
        await second.close();
      });
    });
  });
}
