import type { CometInfo } from "@chatroom/core";
import type { CometServing } from "./kubernetes-aware-registry.ts";

/** The parts of a discovery.k8s.io/v1 EndpointSlice the discovery reads. */
export interface EndpointSliceLike {
  endpoints?: EndpointLike[] | null;
}

export interface EndpointLike {
  addresses?: string[] | null;
  hostname?: string | null;
  targetRef?: { kind?: string | null; name?: string | null } | null;
  conditions?: { ready?: boolean | null; serving?: boolean | null; terminating?: boolean | null } | null;
}

/**
 * Whether Kubernetes would have a comet serve traffic, from the EndpointSlices of the comets' headless Service.
 * A comet is known by its pod name (the chart makes it the comet id), its host name under the headless Service (the
 * first label of its advertised gRPC host) or its pod IP.
 */
export class EndpointStates implements CometServing {
  readonly #serving = new Map<string, boolean>();

  constructor(slices: Iterable<EndpointSliceLike>) {
    for (const slice of slices) {
      for (const endpoint of slice.endpoints ?? []) {
        const serving = isServing(endpoint);
        const keys = [
          endpoint.targetRef?.kind === "Pod" ? endpoint.targetRef.name : undefined,
          endpoint.hostname,
          ...(endpoint.addresses ?? []),
        ];
        for (const key of keys) {
          // A pod in several slices (one per address family) serves when any of them says so.
          if (key) this.#serving.set(key, (this.#serving.get(key) ?? false) || serving);
        }
      }
    }
  }

  /** true: serving; false: listed but not ready; undefined: not listed at all (gone, or never a pod of the Service). */
  servingOf(comet: Pick<CometInfo, "id" | "grpcAddress">): boolean | undefined {
    for (const key of keysOf(comet)) {
      const serving = this.#serving.get(key);
      if (serving !== undefined) return serving;
    }
    return undefined;
  }
}

/**
 * `serving` is the readiness probe's verdict, kept while the pod terminates (`ready` turns false as soon as deletion
 * starts): a comet in its preStop sleep still delivers to the clients it holds, and leaves routing when it starts
 * draining (its readiness turns false). Unset conditions mean ready, as the API documents.
 */
function isServing(endpoint: EndpointLike): boolean {
  const conditions = endpoint.conditions ?? {};
  return conditions.serving ?? conditions.ready ?? true;
}

function keysOf(comet: Pick<CometInfo, "id" | "grpcAddress">): string[] {
  const host = hostOf(comet.grpcAddress);
  const keys = [comet.id];
  if (host) keys.push(host, host.split(".")[0] ?? host);
  return keys;
}

/** "host:port" or "[v6]:port" → host (also for a dns:/// target). */
function hostOf(address: string): string {
  const target = address.replace(/^dns:\/\/[^/]*\//, "");
  if (target.startsWith("[")) return target.slice(1, target.indexOf("]"));
  const colon = target.lastIndexOf(":");
  return colon === -1 ? target : target.slice(0, colon);
}
