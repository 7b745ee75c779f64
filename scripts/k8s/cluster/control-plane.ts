// The control plane of the test cluster, as host processes: etcd, kube-apiserver (RBAC and Node authorization,
// static tokens, the certificates of pki.ts), kube-controller-manager and kube-scheduler. All listen on NODE_IP.
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { NODE_IP, paths, ports, SERVICE_CIDR, tool } from "./layout.ts";
import { kubeconfigOf, pki } from "./pki.ts";
import { startDaemon, waitFor } from "./run.ts";

/** GET path on the API server with the admin token; resolves with the status code and body. */
export function apiGet(path: string): Promise<{ status: number; body: string }> {
  const kubeconfig = JSON.parse(readFileSync(paths.adminKubeconfig, "utf8")) as {
    users: Array<{ user: { token: string } }>;
  };
  const token = kubeconfig.users[0]?.user.token ?? "";
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: NODE_IP,
        port: ports.apiServer,
        path,
        ca: readFileSync(pki.caCert),
        headers: { authorization: `Bearer ${token}` },
        timeout: 5_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        response.on("error", reject);
      },
    );
    outgoing.on("timeout", () => outgoing.destroy(new Error(`GET ${path} timed out`)));
    outgoing.on("error", reject);
    outgoing.end();
  });
}

export async function startEtcd(): Promise<void> {
  const client = `http://${NODE_IP}:${ports.etcdClient}`;
  const peer = `http://${NODE_IP}:${ports.etcdPeer}`;
  startDaemon({
    name: "etcd",
    command: tool("etcd"),
    args: [
      `--data-dir=${paths.etcd}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=default=${peer}`,
      "--log-level=warn",
      // A throwaway cluster: no fsync per write (the disk is shared with the other tests of the machine).
      "--unsafe-no-fsync",
    ],
  });
  await waitFor("etcd", 30_000, async () => (await fetch(`${client}/health`)).ok, "etcd");
}

export async function startApiServer(): Promise<void> {
  startDaemon({
    name: "kube-apiserver",
    command: tool("kube-apiserver"),
    args: [
      `--etcd-servers=http://${NODE_IP}:${ports.etcdClient}`,
      `--bind-address=${NODE_IP}`,
      `--advertise-address=${NODE_IP}`,
      `--secure-port=${ports.apiServer}`,
      `--tls-cert-file=${pki.apiServerCert}`,
      `--tls-private-key-file=${pki.apiServerKey}`,
      `--client-ca-file=${pki.caCert}`,
      `--token-auth-file=${pki.tokens}`,
      "--authorization-mode=Node,RBAC",
      "--enable-admission-plugins=NodeRestriction",
      `--service-account-key-file=${pki.serviceAccountPub}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      `--kubelet-client-certificate=${pki.apiServerKubeletClientCert}`,
      `--kubelet-client-key=${pki.apiServerKubeletClientKey}`,
      `--kubelet-certificate-authority=${pki.caCert}`,
      "--kubelet-preferred-address-types=InternalIP",
      "--profiling=false",
      "--v=1",
    ],
  });
  await waitFor(
    "kube-apiserver",
    90_000,
    async () => {
      const { status, body } = await apiGet("/readyz");
      return status === 200 && body === "ok";
    },
    "kube-apiserver",
  );
}

export function startControllers(): void {
  const common = ["--leader-elect=false", `--bind-address=${NODE_IP}`, "--profiling=false", "--v=1"];
  startDaemon({
    name: "kube-controller-manager",
    command: tool("kube-controller-manager"),
    args: [
      `--kubeconfig=${kubeconfigOf("controllerManager")}`,
      `--authentication-kubeconfig=${kubeconfigOf("controllerManager")}`,
      `--authorization-kubeconfig=${kubeconfigOf("controllerManager")}`,
      `--service-account-private-key-file=${pki.serviceAccountKey}`,
      `--root-ca-file=${pki.caCert}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      ...common,
    ],
  });
  startDaemon({
    name: "kube-scheduler",
    command: tool("kube-scheduler"),
    args: [
      `--kubeconfig=${kubeconfigOf("scheduler")}`,
      `--authentication-kubeconfig=${kubeconfigOf("scheduler")}`,
      `--authorization-kubeconfig=${kubeconfigOf("scheduler")}`,
      ...common,
    ],
  });
}
