// Where the single-node test cluster (`npm run k8s:up`) keeps its files and which addresses it uses. Everything the
// cluster listens on is the address of its own bridge (NODE_IP), never the machine's network interfaces: the API
// server, the kubelet, CoreDNS and the external Kafka, MariaDB and Redis the pods use. One cluster per machine (the
// bridge, the addresses and the iptables rules are machine-wide); a lock file names the checkout that owns it.
import { join, resolve } from "node:path";

export const repoRoot: string = resolve(import.meta.dirname, "../../..");
/** Built tools (helm, the hyperkube `kube` and its symlinks, etcd, coredns): scripts/k8s/install-tools.sh. */
export const toolsBin: string = join(repoRoot, ".tools/k8s/bin");
/** Exported images (docker-archive tarballs) and their stamps: scripts/k8s/images.sh. */
export const imagesDir: string = join(repoRoot, ".tools/k8s/images");
/** Everything the running cluster writes: configuration, certificates, etcd, containerd, kubelet, logs. */
export const stateDir: string = join(repoRoot, ".data/k8s");
/** Sockets and containerd's state: short paths (a unix socket path is limited to 107 bytes), one cluster per machine. */
export const runDir = "/run/chatroom-k8s";
/** Names the checkout whose cluster runs (and holds the machine-wide lock while starting or stopping). */
export const ownerFile = "/run/chatroom-k8s.owner";

export const BRIDGE = "chatroom0";
export const POD_CIDR = "10.244.0.0/24";
/** The bridge's address: the node's IP, the pods' gateway and where host services listen for the pods. */
export const NODE_IP = "10.244.0.1";
export const SERVICE_CIDR = "10.96.0.0/24";
/** The `kubernetes` Service's cluster IP (the first of SERVICE_CIDR): in the API server's certificate. */
export const KUBERNETES_SERVICE_IP = "10.96.0.1";
export const NODE_NAME = "chatroom-node";
export const CLUSTER_DOMAIN = "cluster.local";

export const ports = {
  apiServer: 6443,
  etcdClient: 2379,
  etcdPeer: 2380,
  kubelet: 10250,
  kubeletHealthz: 10248,
  kubeProxyHealthz: 10256,
  kubeProxyMetrics: 10249,
  dns: 53,
  // The external services (scripts/infra/*.sh with INFRA_HOST=NODE_IP): pods reach them on the bridge.
  kafka: 9092,
  kafkaController: 9093,
  mysql: 3306,
  redis: 6379,
} as const;

export const NAMESPACE = "chatroom";
export const RELEASE = "chatroom";

export const paths = {
  pki: join(stateDir, "pki"),
  config: join(stateDir, "config"),
  logs: join(stateDir, "logs"),
  pids: join(stateDir, "pids"),
  etcd: join(stateDir, "etcd"),
  containerdRoot: join(stateDir, "containerd"),
  containerdState: join(runDir, "containerd"),
  containerdSocket: join(runDir, "containerd.sock"),
  kubelet: join(stateDir, "kubelet"),
  podLogs: join(stateDir, "pod-logs"),
  cniConfig: join(stateDir, "cni/net.d"),
  cniIpam: join(stateDir, "cni/networks"),
  services: join(stateDir, "services"),
  /** sysctl values found before the cluster changed them, restored by k8s:down. */
  sysctls: join(stateDir, "sysctls.json"),
  adminKubeconfig: join(stateDir, "kubeconfig"),
  helmHome: join(stateDir, "helm"),
} as const;

export function tool(name: string): string {
  return join(toolsBin, name);
}

/** The images the cluster runs, as kubelet names them, and the tarballs scripts/k8s/images.sh exports them to. */
export const images = {
  pause: { ref: "chatroom.local/pause:1", archive: join(imagesDir, "pause.tar") },
  chatroom: { ref: "chatroom.local/chatroom:dev", archive: join(imagesDir, "chatroom.tar") },
} as const;
