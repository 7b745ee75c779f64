// Kubernetes-aware comet discovery for job (docs/kubernetes.md). Loads @kubernetes/client-node only when it runs.
import { type CometRegistry, loadConfig } from "@chatroom/core";
import type { KubeConfig } from "@kubernetes/client-node";
import { KubernetesAwareRegistry } from "./kubernetes-aware-registry.ts";
import { discoveryEnabled, kubernetesDiscoveryConfigSchema } from "./kubernetes-discovery-config.ts";

export { type EndpointLike, type EndpointSliceLike, EndpointStates } from "./endpoint-states.ts";
export { type CometServing, type EndpointSource, KubernetesAwareRegistry } from "./kubernetes-aware-registry.ts";
export {
  discoveryEnabled,
  type KubernetesDiscoveryConfig,
  kubernetesDiscoveryConfigSchema,
} from "./kubernetes-discovery-config.ts";

export interface KubernetesAwareRegistryOptions {
  /** Where the settings come from (default process.env); see kubernetesDiscoveryConfigSchema. */
  env?: Record<string, string | undefined>;
  /** A failed list or watch of the EndpointSlices: job routes on the inner registry alone until it recovers. */
  onError?: (error: unknown) => void;
  /** Told once, when the discovery is on: which Service it watches. */
  onStart?: (description: string) => void;
  /** How to reach the API server (default: the pod's service account, KubeConfig.loadFromCluster()). */
  kubeConfig?: KubeConfig;
  /** First delay before re-watching after an error (default 1 s, doubled up to 30 s). */
  restartDelayMs?: number;
}

/**
 * `inner` itself when the discovery is off (outside a cluster, or CHATROOM_JOB_K8S_DISCOVERY=off); else a registry
 * that hides the comets whose pods Kubernetes reports not ready or gone (KubernetesAwareRegistry) and owns `inner`
 * (closing it closes both). Throws ConfigError for settings that cannot work, after closing `inner`.
 */
export async function kubernetesAwareRegistry(
  inner: CometRegistry,
  options: KubernetesAwareRegistryOptions = {},
): Promise<CometRegistry> {
  try {
    return await wrap(inner, options);
  } catch (error) {
    await inner.close().catch(() => {});
    throw error;
  }
}

async function wrap(inner: CometRegistry, options: KubernetesAwareRegistryOptions): Promise<CometRegistry> {
  const env = options.env ?? process.env;
  const config = loadConfig(kubernetesDiscoveryConfigSchema, env);
  if (!discoveryEnabled(config, env)) return inner;
  const client = await import("@kubernetes/client-node");
  const { watchEndpointSlices } = await import("./endpoint-slice-source.ts");
  let kubeConfig = options.kubeConfig;
  if (kubeConfig === undefined) {
    kubeConfig = new client.KubeConfig();
    kubeConfig.loadFromCluster();
  }
  const namespace =
    config.namespace || kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace || "default";
  const source = watchEndpointSlices({
    kubeConfig,
    namespace,
    service: config.cometService,
    ...(options.onError ? { onError: options.onError } : {}),
    ...(options.restartDelayMs !== undefined ? { restartDelayMs: options.restartDelayMs } : {}),
  });
  options.onStart?.(`watching the EndpointSlices of Service ${namespace}/${config.cometService}`);
  return new KubernetesAwareRegistry(inner, source);
}
