import { type ChildProcess, spawn } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePorts } from "@chatroom/core/net";
import { KubeApi } from "./kube-api.ts";
import { tool } from "./tools.ts";

/** A user of the static token file: name and groups as the API server's authenticator reports them. */
export interface StaticUser {
  name: string;
  groups: string[];
}

export interface KubeApiServer {
  /** https://127.0.0.1:<port> */
  url: string;
  /** PEM of the CA that signed the serving certificate. */
  ca: string;
  /** A client authenticated as a cluster admin (group system:masters). */
  admin: KubeApi;
  /** A client authenticated as one of the users given to start (RBAC applies to it). */
  as(user: string): KubeApi;
  /** The bearer token of a user given to start. */
  tokenOf(user: string): string;
  /** Path of a kubeconfig file for the admin (for helm). */
  kubeconfig: string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 90_000;

/**
 * A real kube-apiserver (RBAC authorization, static token authentication) on an etcd of its own, both on free
 * loopback ports with their data in a temporary folder. No controllers run: objects are stored and validated, never
 * acted on. stop() ends both processes and removes the folder.
 */
export async function startKubeApiServer(users: StaticUser[] = []): Promise<KubeApiServer> {
  // The free ports are found before the processes bind them: another process may take one meanwhile, so retry.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(users);
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

async function startOnce(users: StaticUser[]): Promise<KubeApiServer> {
  const dir = mkdtempSync(join(tmpdir(), "chatroom-kube-apiserver-"));
  const children: ChildProcess[] = [];
  const stop = async () => {
    for (const child of children.reverse()) await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [etcdClient, etcdPeer, securePort] = await freePorts(3);
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    writeFileSync(join(dir, "sa.key"), privateKey.export({ type: "pkcs8", format: "pem" }));
    writeFileSync(join(dir, "sa.pub"), publicKey.export({ type: "spki", format: "pem" }));
    const tokens = new Map<string, string>([["admin", randomBytes(16).toString("hex")]]);
    for (const user of users) tokens.set(user.name, randomBytes(16).toString("hex"));
    const lines = [`${tokens.get("admin")},admin,admin,"system:masters"`];
    for (const user of users)
      lines.push(`${tokens.get(user.name)},${user.name},${user.name},"${user.groups.join(",")}"`);
    writeFileSync(join(dir, "tokens.csv"), `${lines.join("\n")}\n`);

    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    children.push(
      launch(dir, "etcd", [
        `--data-dir=${join(dir, "etcd")}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
        "--log-level=warn",
      ]),
    );
    await waitFor("etcd", dir, children, async () => {
      const response = await fetch(`${etcdUrl}/health`).catch(() => null);
      return response?.ok === true;
    });

    const certDir = join(dir, "certs");
    children.push(
      launch(dir, "kube-apiserver", [
        `--etcd-servers=${etcdUrl}`,
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        `--secure-port=${securePort}`,
        `--cert-dir=${certDir}`,
        `--token-auth-file=${join(dir, "tokens.csv")}`,
        "--authorization-mode=RBAC",
        `--service-account-key-file=${join(dir, "sa.pub")}`,
        `--service-account-signing-key-file=${join(dir, "sa.key")}`,
        "--service-account-issuer=https://kubernetes.default.svc",
        "--service-cluster-ip-range=10.96.0.0/16",
      ]),
    );
    const url = `https://127.0.0.1:${securePort}`;
    const certFile = join(certDir, "apiserver.crt");
    let ca = "";
    await waitFor("kube-apiserver", dir, children, async () => {
      if (!existsSync(certFile)) return false;
      ca = readFileSync(certFile, "utf8");
      const probe = new KubeApi(url, ca, tokens.get("admin") ?? "");
      return (await probe.getText("/readyz").catch(() => "")) === "ok";
    });

    const kubeconfig = join(dir, "kubeconfig.yaml");
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [
          { name: "local", cluster: { server: url, "certificate-authority-data": Buffer.from(ca).toString("base64") } },
        ],
        users: [{ name: "admin", user: { token: tokens.get("admin") } }],
        contexts: [{ name: "local", context: { cluster: "local", user: "admin" } }],
        "current-context": "local",
      }),
      { mode: 0o600 },
    );
    const client = (user: string) => {
      const token = tokens.get(user);
      if (token === undefined) throw new Error(`no static user ${user}`);
      return new KubeApi(url, ca, token);
    };
    return {
      url,
      ca,
      admin: client("admin"),
      kubeconfig,
      as: client,
      tokenOf: (user) => {
        const token = tokens.get(user);
        if (token === undefined) throw new Error(`no static user ${user}`);
        return token;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The ServiceAccount user the API server sees for a pod's token. */
export function serviceAccountUser(namespace: string, name: string): StaticUser {
  return {
    name: `system:serviceaccount:${namespace}:${name}`,
    groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"],
  };
}

function launch(dir: string, name: "etcd" | "kube-apiserver", args: string[]): ChildProcess {
  const log = createWriteStream(join(dir, `${name}.log`));
  const child = spawn(tool(name), args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}

async function waitFor(
  name: string,
  dir: string,
  children: ChildProcess[],
  ready: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const exited = children.find((child) => child.exitCode !== null);
    if (exited) throw new Error(`${name} exited at start (${exited.exitCode}): ${tail(join(dir, `${name}.log`))}`);
    if (await ready()) return;
    await sleep(200);
  }
  throw new Error(`${name} was not ready within ${START_TIMEOUT_MS} ms: ${tail(join(dir, `${name}.log`))}`);
}

function tail(file: string): string {
  return existsSync(file) ? readFileSync(file, "utf8").split("\n").slice(-15).join("\n") : "(no log)";
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const killTimer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(killTimer);
}
