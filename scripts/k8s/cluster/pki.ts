// The test cluster's credentials, made fresh by every k8s:up (openssl): a CA, the API server's serving certificate,
// the certificate the API server shows the kubelet and the kubelet's own serving certificate, the service-account
// signing key, and a static bearer token per client (admin, kubelet, kube-proxy, controller manager, scheduler,
// CoreDNS) in the API server's token file, each in a kubeconfig of its own.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CLUSTER_DOMAIN, KUBERNETES_SERVICE_IP, NODE_IP, NODE_NAME, paths, ports } from "./layout.ts";
import { run } from "./run.ts";

export interface Client {
  /** Static-token user name (RBAC subject). */
  user: string;
  groups: string[];
}

/** The clients of the API server; the groups are those Kubernetes' default RBAC policy binds for each role. */
export const clients = {
  admin: { user: "chatroom-admin", groups: ["system:masters"] },
  kubelet: { user: `system:node:${NODE_NAME}`, groups: ["system:nodes"] },
  proxy: { user: "system:kube-proxy", groups: [] },
  // Every controller runs with this one identity (no --use-service-account-credentials): system:masters.
  controllerManager: { user: "system:kube-controller-manager", groups: ["system:masters"] },
  scheduler: { user: "system:kube-scheduler", groups: [] },
  coredns: { user: "chatroom:coredns", groups: [] },
} satisfies Record<string, Client>;

export type ClientName = keyof typeof clients;

export const pki = {
  caCert: join(paths.pki, "ca.crt"),
  caKey: join(paths.pki, "ca.key"),
  apiServerCert: join(paths.pki, "apiserver.crt"),
  apiServerKey: join(paths.pki, "apiserver.key"),
  apiServerKubeletClientCert: join(paths.pki, "apiserver-kubelet-client.crt"),
  apiServerKubeletClientKey: join(paths.pki, "apiserver-kubelet-client.key"),
  kubeletCert: join(paths.pki, "kubelet.crt"),
  kubeletKey: join(paths.pki, "kubelet.key"),
  serviceAccountKey: join(paths.pki, "sa.key"),
  serviceAccountPub: join(paths.pki, "sa.pub"),
  tokens: join(paths.pki, "tokens.csv"),
};

export function kubeconfigOf(client: ClientName): string {
  return client === "admin" ? paths.adminKubeconfig : join(paths.config, `${client}.kubeconfig`);
}

const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];

async function issue(name: string, subject: string, extensions: string[]): Promise<void> {
  const key = join(paths.pki, `${name}.key`);
  const csr = join(paths.pki, `${name}.csr`);
  const ext = join(paths.pki, `${name}.ext`);
  await run("openssl", ["req", "-new", "-nodes", ...EC_KEY, "-keyout", key, "-out", csr, "-subj", subject]);
  writeFileSync(
    ext,
    `${["basicConstraints=CA:FALSE", "keyUsage=critical,digitalSignature", ...extensions].join("\n")}\n`,
  );
  await run("openssl", [
    "x509",
    "-req",
    "-in",
    csr,
    "-CA",
    pki.caCert,
    "-CAkey",
    pki.caKey,
    "-CAcreateserial",
    "-days",
    "30",
    "-extfile",
    ext,
    "-out",
    join(paths.pki, `${name}.crt`),
  ]);
}

/** Writes every certificate, key, the token file and the kubeconfigs into the state folder. */
export async function createPki(): Promise<void> {
  mkdirSync(paths.pki, { recursive: true, mode: 0o700 });
  mkdirSync(paths.config, { recursive: true });
  await run("openssl", [
    "req",
    "-x509",
    "-new",
    "-nodes",
    ...EC_KEY,
    "-days",
    "30",
    "-subj",
    "/CN=chatroom-test-cluster-ca",
    "-keyout",
    pki.caKey,
    "-out",
    pki.caCert,
  ]);
  const apiServerNames = ["kubernetes", "kubernetes.default", "kubernetes.default.svc"];
  apiServerNames.push(`kubernetes.default.svc.${CLUSTER_DOMAIN}`, "localhost");
  const apiServerSans = [...apiServerNames.map((n) => `DNS:${n}`), `IP:${KUBERNETES_SERVICE_IP}`, `IP:${NODE_IP}`];
  await issue("apiserver", "/CN=kube-apiserver", [
    "extendedKeyUsage=serverAuth",
    `subjectAltName=${[...apiServerSans, "IP:127.0.0.1"].join(",")}`,
  ]);
  await issue("apiserver-kubelet-client", "/O=system:masters/CN=kube-apiserver-kubelet-client", [
    "extendedKeyUsage=clientAuth",
  ]);
  await issue("kubelet", `/O=system:nodes/CN=system:node:${NODE_NAME}`, [
    "extendedKeyUsage=serverAuth",
    `subjectAltName=DNS:${NODE_NAME},IP:${NODE_IP}`,
  ]);
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  writeFileSync(pki.serviceAccountKey, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  writeFileSync(pki.serviceAccountPub, publicKey.export({ type: "spki", format: "pem" }));

  const lines: string[] = [];
  const ca = readFileSync(pki.caCert);
  for (const [name, client] of Object.entries(clients) as Array<[ClientName, Client]>) {
    const token = randomBytes(24).toString("hex");
    lines.push(`${token},${client.user},${client.user},"${client.groups.join(",")}"`);
    writeFileSync(kubeconfigOf(name), kubeconfig(token, ca), { mode: 0o600 });
  }
  writeFileSync(pki.tokens, `${lines.join("\n")}\n`, { mode: 0o600 });
}

function kubeconfig(token: string, ca: Buffer): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "chatroom-test",
        cluster: {
          server: `https://${NODE_IP}:${ports.apiServer}`,
          "certificate-authority-data": ca.toString("base64"),
        },
      },
    ],
    users: [{ name: "user", user: { token } }],
    contexts: [{ name: "chatroom-test", context: { cluster: "chatroom-test", user: "user", namespace: "chatroom" } }],
    "current-context": "chatroom-test",
  });
}
