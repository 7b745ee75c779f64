// `npm run k8s:down`: removes everything k8s:up made — the daemons (by the pids it recorded), every container and
// its shim, the mounts under the state folders, the cgroups the kubelet created, kube-proxy's and our iptables rules,
// the bridge, the external services and their data, the changed sysctls (put back) and the state folders. Safe to
// run when nothing runs, and after an interrupted k8s:up. Built tools and images (.tools/k8s) are kept.
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, rmdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { stopContainerd } from "./containerd.ts";
import { stopExternalServices } from "./external-services.ts";
import { ownerFile, paths, repoRoot, runDir, stateDir } from "./layout.ts";
import { removeBridge, removeKubeChains, restoreSysctls } from "./network.ts";
import { cleanupKubeProxy } from "./node.ts";
import { attempt, log, stopDaemon } from "./run.ts";

/** Mount points under our folders, deepest first (mountinfo's field 5, with its octal escapes undone). */
function ourMounts(): string[] {
  const mounts = readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[4] ?? "")
    .map((point) =>
      point.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8))),
    )
    .filter((point) => point.startsWith(`${stateDir}/`) || point.startsWith(`${runDir}/`));
  return [...new Set(mounts)].sort((a, b) => b.length - a.length);
}

async function unmountAll(): Promise<void> {
  for (const point of ourMounts()) {
    if (!(await attempt("umount", [point]))) await attempt("umount", ["-l", point]);
  }
}

/** The kubelet's cgroups (/kubepods in every v1 hierarchy), removed leaves first once their processes are gone. */
function removeCgroups(): void {
  const remove = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) remove(join(dir, entry.name));
    }
    try {
      // rmdir(2): a cgroup goes with its control files once it has no child cgroups and no processes.
      rmdirSync(dir);
    } catch (error) {
      log(`could not remove cgroup ${dir}: ${(error as Error).message}`);
    }
  };
  for (const hierarchy of readdirSync("/sys/fs/cgroup")) {
    const kubepods = join("/sys/fs/cgroup", hierarchy, "kubepods");
    if (existsSync(kubepods)) remove(kubepods);
  }
}

/** The kubelet's symlinks in /var/log/containers (a fixed path) that point into our pod logs, and the folder once empty. */
function removeContainerLogLinks(): void {
  const dir = "/var/log/containers";
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const link = join(dir, name);
    try {
      if (lstatSync(link).isSymbolicLink() && readlinkSync(link).startsWith(paths.podLogs)) rmSync(link);
    } catch {
      // gone meanwhile
    }
  }
  if (readdirSync(dir).length === 0) rmdirSync(dir);
}

/** containerd's CNI plugin caches each attachment's result in /var/lib/cni/results, named after our network. */
function removeCniCache(): void {
  const dir = "/var/lib/cni/results";
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir).filter((n) => n.startsWith("chatroom-"))) rmSync(join(dir, name));
}

export async function down(): Promise<void> {
  if (existsSync(ownerFile) && readFileSync(ownerFile, "utf8").trim() !== repoRoot) {
    throw new Error(`the test cluster on this machine belongs to ${readFileSync(ownerFile, "utf8").trim()}`);
  }
  for (const name of ["kubelet", "kube-proxy", "coredns", "kube-scheduler", "kube-controller-manager"]) {
    await stopDaemon(name, 10_000);
  }
  await stopContainerd();
  await unmountAll();
  removeCgroups();
  for (const name of ["kube-apiserver", "etcd"]) await stopDaemon(name, 15_000);
  await cleanupKubeProxy();
  await removeKubeChains();
  await stopExternalServices().catch((error: unknown) => log((error as Error).message));
  await removeBridge();
  restoreSysctls();
  removeContainerLogLinks();
  removeCniCache();
  await unmountAll();
  rmSync(stateDir, { recursive: true, force: true });
  rmSync(runDir, { recursive: true, force: true });
  rmSync(ownerFile, { force: true });
}
