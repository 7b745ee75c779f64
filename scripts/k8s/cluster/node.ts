// The test cluster's node, as host processes: the kubelet (on containerd, cgroupfs on the machine's cgroups v1),
// kube-proxy (iptables mode) and CoreDNS (the cluster's DNS, answering on NODE_IP:53 from the API server's Services
// and EndpointSlices; names outside the cluster get NXDOMAIN: pods have no business outside it).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CLUSTER_DOMAIN, NODE_IP, NODE_NAME, POD_CIDR, paths, ports, tool } from "./layout.ts";
import { kubeconfigOf, pki } from "./pki.ts";
import { attempt, startDaemon } from "./run.ts";

function kubeletConfig(): string {
  return JSON.stringify({
    apiVersion: "kubelet.config.k8s.io/v1beta1",
    kind: "KubeletConfiguration",
    address: NODE_IP,
    port: ports.kubelet,
    readOnlyPort: 0,
    healthzBindAddress: NODE_IP,
    healthzPort: ports.kubeletHealthz,
    tlsCertFile: pki.kubeletCert,
    tlsPrivateKeyFile: pki.kubeletKey,
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: pki.caCert },
    },
    authorization: { mode: "Webhook" },
    containerRuntimeEndpoint: `unix://${paths.containerdSocket}`,
    // The machine has cgroups v1 (which the kubelet refuses unless told) and no systemd.
    cgroupDriver: "cgroupfs",
    failCgroupV1: false,
    failSwapOn: false,
    // The machine may refuse to lower a process's OOM score: leave the kubelet's own as it is.
    oomScoreAdj: 0,
    clusterDNS: [NODE_IP],
    clusterDomain: CLUSTER_DOMAIN,
    // No host resolv.conf in the pods: cluster names only.
    resolvConf: "",
    podLogsDir: paths.podLogs,
    maxPods: 40,
    serializeImagePulls: false,
    // Images are imported, never pulled: never collect them, and evict only when the machine is really short.
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    evictionHard: { "memory.available": "200Mi", "nodefs.available": "1%", "imagefs.available": "1%" },
    // kube-proxy, not the kubelet, owns the iptables rules; the test cluster does no graceful node shutdown.
    shutdownGracePeriod: "0s",
    rotateCertificates: false,
    serverTLSBootstrap: false,
    // Status updates often enough for the tests to see a pod's readiness quickly.
    nodeStatusUpdateFrequency: "5s",
    syncFrequency: "10s",
  });
}

export function startKubelet(): void {
  mkdirSync(paths.kubelet, { recursive: true });
  mkdirSync(paths.podLogs, { recursive: true });
  const config = join(paths.config, "kubelet.json");
  writeFileSync(config, kubeletConfig());
  startDaemon({
    name: "kubelet",
    command: tool("kubelet"),
    args: [
      `--config=${config}`,
      `--kubeconfig=${kubeconfigOf("kubelet")}`,
      `--root-dir=${paths.kubelet}`,
      `--hostname-override=${NODE_NAME}`,
      `--node-ip=${NODE_IP}`,
      "--v=1",
    ],
  });
}

export function startKubeProxy(): void {
  const config = join(paths.config, "kube-proxy.json");
  writeFileSync(
    config,
    JSON.stringify({
      apiVersion: "kubeproxy.config.k8s.io/v1alpha1",
      kind: "KubeProxyConfiguration",
      clientConnection: { kubeconfig: kubeconfigOf("proxy") },
      mode: "iptables",
      clusterCIDR: POD_CIDR,
      hostnameOverride: NODE_NAME,
      bindAddress: NODE_IP,
      healthzBindAddress: `${NODE_IP}:${ports.kubeProxyHealthz}`,
      metricsBindAddress: `${NODE_IP}:${ports.kubeProxyMetrics}`,
      nodePortAddresses: [`${NODE_IP}/32`],
      oomScoreAdj: 0,
      // Leave the machine's conntrack settings as they are.
      conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: "0s", tcpCloseWaitTimeout: "0s" },
      iptables: { localhostNodePorts: false, masqueradeAll: false },
    }),
  );
  startDaemon({ name: "kube-proxy", command: tool("kube-proxy"), args: [`--config=${config}`, "--v=1"] });
}

/** Removes kube-proxy's iptables rules (its chains and jumps); harmless when there are none. */
export async function cleanupKubeProxy(): Promise<void> {
  await attempt(tool("kube-proxy"), ["--cleanup", "--v=0"], { timeoutMs: 60_000 });
}

export function startCoreDns(): void {
  const corefile = join(paths.config, "Corefile");
  writeFileSync(
    corefile,
    `${CLUSTER_DOMAIN}:${ports.dns} in-addr.arpa:${ports.dns} {
  bind ${NODE_IP}
  errors
  kubernetes ${CLUSTER_DOMAIN} in-addr.arpa {
    kubeconfig ${kubeconfigOf("coredns")} chatroom-test
    pods insecure
    fallthrough in-addr.arpa
  }
  cache 5
}
.:${ports.dns} {
  bind ${NODE_IP}
  template ANY ANY {
    rcode NXDOMAIN
  }
}
`,
  );
  startDaemon({ name: "coredns", command: tool("coredns"), args: ["-conf", corefile] });
}

/** CoreDNS's read access (what the upstream system:coredns ClusterRole grants), for its static-token user. */
export const coreDnsRbac = [
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: "chatroom:coredns" },
    rules: [
      { apiGroups: [""], resources: ["endpoints", "services", "pods", "namespaces"], verbs: ["list", "watch"] },
      { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["list", "watch"] },
    ],
  },
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: "chatroom:coredns" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "chatroom:coredns" },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "chatroom:coredns" }],
  },
];
