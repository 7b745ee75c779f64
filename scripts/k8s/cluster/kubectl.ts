// kubectl and helm against the test cluster, as its admin (the kubeconfig k8s:up writes).
import { join } from "node:path";
import { paths, tool } from "./layout.ts";
import { run } from "./run.ts";

export function kubectl(args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<string> {
  return run(tool("kubectl"), ["--kubeconfig", paths.adminKubeconfig, ...args], options);
}

/** `kubectl get … -o json`, parsed. */
export async function kubectlJson<T>(args: string[]): Promise<T> {
  return JSON.parse(await kubectl([...args, "-o", "json"])) as T;
}

export async function apply(objects: unknown[]): Promise<void> {
  await kubectl(["apply", "--server-side", "-f", "-"], {
    input: JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }),
  });
}

export function helm(args: string[], timeoutMs = 600_000): Promise<string> {
  return run(tool("helm"), [...args, "--kubeconfig", paths.adminKubeconfig], {
    timeoutMs,
    env: {
      ...process.env,
      HELM_CACHE_HOME: join(paths.helmHome, "cache"),
      HELM_CONFIG_HOME: join(paths.helmHome, "config"),
      HELM_DATA_HOME: join(paths.helmHome, "data"),
    },
  });
}
