import { accessSync, constants } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const repoRoot: string = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** Where scripts/k8s/install-tools.sh puts helm, etcd, kube-apiserver (the hyperkube `kube`) and hadolint. */
export const toolsBin: string = join(repoRoot, ".tools/k8s/bin");

export type K8sTool = "helm" | "etcd" | "kube-apiserver" | "hadolint";

/**
 * Path of an installed tool. The checks run with no network, so a missing tool fails the test at once, naming the
 * script that installs it (the test command runs it first).
 */
export function tool(name: K8sTool): string {
  const path = join(toolsBin, name);
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(`${path} is missing: run \`bash scripts/k8s/install-tools.sh\` first (it needs Go and python3)`);
  }
  return path;
}

/** The CRDs the chart's custom resources are checked against, vendored in k8s/crds (see its README). */
export const crdDirs: readonly string[] = [
  join(repoRoot, "k8s/crds/strimzi-1.2.0"),
  join(repoRoot, "k8s/crds/prometheus-operator-0.93.0"),
];
