import { ConfigError, type ConfigOf, setting } from "@chatroom/core";

/** Settings of the Kubernetes-aware comet discovery (job in a pod; the chart sets them). */
export const kubernetesDiscoveryConfigSchema = {
  mode: setting.oneOf(
    "CHATROOM_JOB_K8S_DISCOVERY",
    ["auto", "on", "off"] as const,
    "auto",
    "Kubernetes-aware comet discovery: job watches the comets' EndpointSlices and stops calling a comet as soon as " +
      "Kubernetes reports it not ready or gone, instead of waiting for its registry entry to expire. auto: on in a " +
      "pod (KUBERNETES_SERVICE_HOST set) when CHATROOM_JOB_K8S_COMET_SERVICE is set",
  ),
  cometService: setting.string(
    "CHATROOM_JOB_K8S_COMET_SERVICE",
    "",
    "Name of the comets' headless Service, whose EndpointSlices job watches",
  ),
  namespace: setting.string(
    "CHATROOM_JOB_K8S_NAMESPACE",
    "",
    "Namespace of that Service (default: the pod's own, from its service account)",
  ),
};

export type KubernetesDiscoveryConfig = ConfigOf<typeof kubernetesDiscoveryConfigSchema>;

/** Whether the discovery runs: off outside a cluster unless asked for, which is then a configuration error. */
export function discoveryEnabled(
  config: KubernetesDiscoveryConfig,
  env: Record<string, string | undefined> = process.env,
): boolean {
  const inCluster = Boolean(env.KUBERNETES_SERVICE_HOST);
  if (config.mode === "off") return false;
  if (config.mode === "auto") return inCluster && config.cometService !== "";
  if (!inCluster) {
    throw new ConfigError("CHATROOM_JOB_K8S_DISCOVERY=on needs a Kubernetes pod (KUBERNETES_SERVICE_HOST is not set)");
  }
  if (config.cometService === "") {
    throw new ConfigError("CHATROOM_JOB_K8S_DISCOVERY=on needs CHATROOM_JOB_K8S_COMET_SERVICE");
  }
  return true;
}
