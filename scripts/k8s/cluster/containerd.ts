// containerd for the test cluster: Debian's containerd 1.6 and runc with a configuration of our own (nothing under
// /etc/containerd or /var/lib/containerd is touched), its socket and state in RUN_DIR, images and snapshots in the
// state folder. Images come from scripts/k8s/images.sh tarballs (`ctr images import`): nothing is ever pulled.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { images, paths } from "./layout.ts";
import { attempt, log, run, startDaemon, stopDaemon, waitFor } from "./run.ts";

const NAMESPACE = "k8s.io";

function ctr(...args: string[]): string[] {
  return ["--address", paths.containerdSocket, "--namespace", NAMESPACE, ...args];
}

function config(): string {
  return `version = 2
root = "${paths.containerdRoot}"
state = "${paths.containerdState}"
# The machine may refuse to lower a process's OOM score (no CAP_SYS_RESOURCE): containerd then clamps what the
# kubelet asks for instead of failing the container (restrict_oom_score_adj below).
oom_score = 0

[grpc]
  address = "${paths.containerdSocket}"

[ttrpc]
  address = ""

[metrics]
  address = ""

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${images.pause.ref}"
  restrict_oom_score_adj = true
  disable_apparmor = true
  # Network namespaces under containerd's state folder (not /var/run/netns): k8s:down finds every one of them.
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        # cgroupfs (the kubelet's cgroupDriver): the machine has cgroups v1 and no systemd.
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${paths.cniConfig}"

[plugins."io.containerd.internal.v1.opt"]
  path = "${join(paths.containerdRoot, "opt")}"
`;
}

export async function startContainerd(): Promise<void> {
  mkdirSync(paths.config, { recursive: true });
  mkdirSync(paths.containerdState, { recursive: true });
  const file = join(paths.config, "containerd.toml");
  writeFileSync(file, config());
  startDaemon({ name: "containerd", command: "/usr/bin/containerd", args: ["--config", file] });
  await waitFor("containerd", 30_000, async () => attempt("ctr", ctr("version")), "containerd");
}

/** Imports the image tarballs of scripts/k8s/images.sh into containerd's k8s.io namespace (the kubelet's). */
export async function importImages(): Promise<void> {
  for (const image of Object.values(images)) {
    if (!existsSync(image.archive)) {
      throw new Error(`${image.archive} is missing: run bash scripts/k8s/images.sh (npm run k8s:up does)`);
    }
    const started = Date.now();
    // Unpacked into the overlayfs snapshotter at once: the first container start of the image then waits for nothing.
    await run("ctr", ctr("images", "import", "--snapshotter", "overlayfs", image.archive), { timeoutMs: 300_000 });
    log(`imported ${image.ref} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

/**
 * Stops every container and pod sandbox of the k8s.io namespace (SIGKILL: k8s:down does not wait for graceful
 * shutdowns), then containerd itself, then any shim of ours still alive (a shim outlives containerd by design).
 */
export async function stopContainerd(): Promise<void> {
  if (await attempt("ctr", ctr("version"), { timeoutMs: 5_000 })) {
    const tasks = (await run("ctr", ctr("tasks", "list", "--quiet")).catch(() => "")).split("\n").filter(Boolean);
    for (const id of tasks) await attempt("ctr", ctr("tasks", "kill", "--signal", "SIGKILL", id));
    for (const id of tasks) await attempt("ctr", ctr("tasks", "delete", "--force", id), { timeoutMs: 30_000 });
    const containers = (await run("ctr", ctr("containers", "list", "--quiet")).catch(() => "")).split("\n");
    for (const id of containers.filter(Boolean)) await attempt("ctr", ctr("containers", "delete", id));
  }
  await stopDaemon("containerd");
  for (const pid of shimPids()) {
    log(`stopping containerd shim ${pid}`);
    await attempt("kill", ["-KILL", String(pid)]);
  }
}

/** containerd-shim-runc-v2 processes started for our socket (their command line names it). */
function shimPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (cmdline[0]?.endsWith("containerd-shim-runc-v2") && cmdline.includes(paths.containerdSocket)) {
        pids.push(Number(entry));
      }
    } catch {
      // the process ended meanwhile
    }
  }
  return pids;
}
