import type { Closable, CometInfo, CometRegistry } from "@chatroom/core";

/** Whether Kubernetes has a comet serve traffic (EndpointStates). */
export interface CometServing {
  /** true: serving; false: not ready; undefined: Kubernetes does not list it (gone). */
  servingOf(comet: Pick<CometInfo, "id" | "grpcAddress">): boolean | undefined;
}

/** What Kubernetes says about the comets, kept current by a watch (endpoint-slice-source.ts). */
export interface EndpointSource extends Closable {
  /** The current states, or null while not in sync with the API server (then nothing is filtered out). */
  current(): CometServing | null;
  /** Called after every change of current(); returns the unsubscribe function. */
  onChange(listener: () => void): () => void;
}

/**
 * A CometRegistry that hides the comets Kubernetes reports not serving or no longer lists, so that job stops calling
 * a comet the moment its pod is unready or gone rather than when its registry entry expires, and calls it again when
 * it is ready. Registration stays with the inner registry (the comets' own, e.g. Redis), which still decides which
 * comets exist and where they listen. While the watch is not in sync (starting, API server unreachable) the inner
 * registry's view is used as it is: an outage of the API server never stops the pushes.
 */
export class KubernetesAwareRegistry implements CometRegistry {
  readonly #inner: CometRegistry;
  readonly #source: EndpointSource;

  constructor(inner: CometRegistry, source: EndpointSource) {
    this.#inner = inner;
    this.#source = source;
  }

  register(info: CometInfo, ttlMs: number): Promise<void> {
    return this.#inner.register(info, ttlMs);
  }

  deregister(id: string): Promise<void> {
    return this.#inner.deregister(id);
  }

  async list(): Promise<CometInfo[]> {
    return this.#routable(await this.#inner.list());
  }

  async watch(listener: (comets: CometInfo[]) => void): Promise<Closable> {
    let registered: CometInfo[] | null = null;
    let delivered: string | null = null;
    // Both the registry and Kubernetes change the set; deliver only what differs from the last delivery.
    const deliver = () => {
      if (registered === null) return;
      const routable = this.#routable(registered);
      const signature = JSON.stringify(routable.map((c) => [c.id, c.grpcAddress, c.wsUrl, c.startedAtMs]).sort());
      if (signature === delivered) return;
      delivered = signature;
      listener(routable);
    };
    const unsubscribe = this.#source.onChange(deliver);
    try {
      const inner = await this.#inner.watch((comets) => {
        registered = comets;
        deliver();
      });
      return {
        async close() {
          unsubscribe();
          await inner.close();
        },
      };
    } catch (error) {
      unsubscribe();
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.#source.close();
    await this.#inner.close();
  }

  #routable(comets: CometInfo[]): CometInfo[] {
    const states = this.#source.current();
    if (states === null) return comets;
    return comets.filter((comet) => states.servingOf(comet) === true);
  }
}
