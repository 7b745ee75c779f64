import { DiscoveryV1Api, type KubeConfig, makeInformer, type V1EndpointSlice } from "@kubernetes/client-node";
import { EndpointStates } from "./endpoint-states.ts";
import type { EndpointSource } from "./kubernetes-aware-registry.ts";

export interface EndpointSliceSourceOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  /** The headless Service whose EndpointSlices are watched (label kubernetes.io/service-name). */
  service: string;
  /** A failed list or watch; the source is out of sync until its restart succeeds. */
  onError?: (error: unknown) => void;
  /** First delay before restarting after an error, doubled up to maxRestartDelayMs (defaults 1 s and 30 s). */
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
}

/**
 * The EndpointSlices of one Service, through @kubernetes/client-node's informer (list, then watch from that
 * resourceVersion; re-lists when the watch expires). In sync once a list succeeded, until an error: the informer
 * stops on errors, so the source restarts it with a backoff and is out of sync (current() is null) meanwhile.
 */
export function watchEndpointSlices(options: EndpointSliceSourceOptions): EndpointSource {
  const { kubeConfig, namespace, service } = options;
  const labelSelector = `kubernetes.io/service-name=${service}`;
  const api = kubeConfig.makeApiClient(DiscoveryV1Api);
  const informer = makeInformer<V1EndpointSlice>(
    kubeConfig,
    `/apis/discovery.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/endpointslices`,
    () => api.listNamespacedEndpointSlice({ namespace, labelSelector }),
    labelSelector,
  );
  const firstDelay = options.restartDelayMs ?? 1000;
  const maxDelay = options.maxRestartDelayMs ?? 30_000;
  const listeners = new Set<() => void>();
  let states: EndpointStates | null = null;
  let synced = false;
  let failedSinceStart = false;
  let closed = false;
  let delay = firstDelay;
  let restartTimer: NodeJS.Timeout | undefined;

  const notify = () => {
    for (const listener of [...listeners]) listener();
  };
  const refresh = () => {
    if (!synced || closed) return;
    states = new EndpointStates(informer.list(namespace));
    notify();
  };
  const start = () => {
    failedSinceStart = false;
    informer.start().then(
      () => {
        // start() resolves once the list is cached and the watch is open, or after reporting a failed list.
        if (closed || failedSinceStart) return;
        synced = true;
        delay = firstDelay;
        refresh();
      },
      (error: unknown) => fail(error),
    );
  };
  const fail = (error: unknown) => {
    failedSinceStart = true;
    if (closed) return;
    const wasSynced = synced;
    synced = false;
    states = null;
    if (wasSynced) notify();
    options.onError?.(error);
    clearTimeout(restartTimer);
    restartTimer = setTimeout(start, delay);
    delay = Math.min(delay * 2, maxDelay);
  };

  informer.on("add", refresh);
  informer.on("update", refresh);
  informer.on("delete", refresh);
  informer.on("error", fail);
  start();

  return {
    current: () => states,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(restartTimer);
      listeners.clear();
      await informer.stop();
    },
  };
}
