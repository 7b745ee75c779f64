// `npm run k8s:up`: the single-node cluster from nothing — tools and images (built when missing or changed), the
// network, containerd, the control plane, the node, the external services, then `helm install` of charts/chatroom,
// waiting until every workload is ready. Any failure stops it with the reason and removes what it had made.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { importImages, startContainerd } from "./containerd.ts";
import { apiGet, startApiServer, startControllers, startEtcd } from "./control-plane.ts";
import { down } from "./down.ts";
import { startExternalServices } from "./external-services.ts";
import { apply, kubectl } from "./kubectl.ts";
import { NODE_NAME, ownerFile, paths, repoRoot } from "./layout.ts";
import { createBridge, setSysctls, writeCniConfig } from "./network.ts";
import { coreDnsRbac, startCoreDns, startKubelet, startKubeProxy } from "./node.ts";
import { createPki } from "./pki.ts";
import { installRelease } from "./release.ts";
import { log, run, waitFor } from "./run.ts";

/** Builds what is missing: the cluster tools (Debian packages, Go builds) and the images. */
export async function buildPrerequisites(): Promise<void> {
  const started = Date.now();
  await run("bash", [join(repoRoot, "scripts/k8s/install-tools.sh"), "--cluster"], { timeoutMs: 3_600_000 });
  await run("bash", [join(repoRoot, "scripts/k8s/images.sh")], { timeoutMs: 3_600_000 });
  log(`tools and images ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** Refuses to start while another checkout's cluster runs: the bridge, addresses and iptables rules are shared. */
function claimMachine(): void {
  if (existsSync(ownerFile)) {
    const owner = readFileSync(ownerFile, "utf8").trim();
    if (owner !== repoRoot) {
      throw new Error(`the test cluster of ${owner} runs on this machine: stop it there first (npm run k8s:down)`);
    }
  }
  writeFileSync(ownerFile, `${repoRoot}\n`);
}

async function waitNodeReady(): Promise<void> {
  await waitFor(
    `node ${NODE_NAME}`,
    120_000,
    async () => {
      const { status, body } = await apiGet(`/api/v1/nodes/${NODE_NAME}`);
      if (status !== 200) return false;
      const node = JSON.parse(body) as { status?: { conditions?: Array<{ type: string; status: string }> } };
      return node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;
    },
    "kubelet",
  );
}

export interface UpOptions {
  /** Skip install-tools.sh and images.sh (the caller ran them). */
  skipBuild?: boolean;
  /** Stop before `helm install` (a bare cluster). */
  withoutRelease?: boolean;
}

export async function up(options: UpOptions = {}): Promise<void> {
  const started = Date.now();
  if (!options.skipBuild) await buildPrerequisites();
  // A cluster left by an interrupted run is removed first: every start is from a clean slate.
  await down();
  claimMachine();
  try {
    mkdirSync(paths.config, { recursive: true });
    await createPki();
    setSysctls();
    await createBridge();
    writeCniConfig();
    await startContainerd();
    await importImages();
    await startEtcd();
    await startApiServer();
    startControllers();
    await apply(coreDnsRbac);
    startCoreDns();
    startKubeProxy();
    startKubelet();
    await waitNodeReady();
    // The namespace "default" gets its ServiceAccount from the controller manager; pods wait for it otherwise.
    await waitFor("the default ServiceAccount", 60_000, async () => {
      return (await apiGet("/api/v1/namespaces/default/serviceaccounts/default")).status === 200;
    });
    log(`cluster ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    await startExternalServices();
    if (!options.withoutRelease) {
      await installRelease();
      log(`chatroom installed and ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);
      log((await kubectl(["-n", "chatroom", "get", "pods", "-o", "wide"])).trimEnd());
    }
  } catch (error) {
    log(`k8s:up failed: ${(error as Error).message}`);
    if (process.env.CHATROOM_K8S_KEEP_ON_FAILURE !== "1") await down();
    throw error;
  }
}
