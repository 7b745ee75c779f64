import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { parseAllDocuments } from "yaml";
import { clusterValueArgs } from "../../../scripts/k8s/cluster/release.ts";
import { repoRoot, tool } from "./tools.ts";

const run = promisify(execFile);

export const chartDir: string = join(repoRoot, "charts/chatroom");

/** A rendered Kubernetes object (only the fields every object has are typed). */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** A set of values the chart supports: the defaults, each file of charts/chatroom/ci, the development values. */
export interface ValuesCase {
  name: string;
  files: string[];
  set?: Record<string, string>;
}

export function supportedValues(): ValuesCase[] {
  const ciDir = join(chartDir, "ci");
  const ci = readdirSync(ciDir)
    .filter((file) => file.endsWith(".yaml"))
    .sort()
    .map((file) => ({ name: `ci/${file}`, files: [join(ciDir, file)] }));
  const devValues = join(repoRoot, "k8s/values-dev.yaml");
  const [, testClusterValues, ...testClusterSets] = clusterValueArgs();
  return [
    { name: "default values", files: [] },
    ...ci,
    { name: "k8s/values-dev.yaml", files: [devValues] },
    // What the Tiltfile renders: the development values, node --watch and a writable image for live_update.
    {
      name: "k8s/values-dev.yaml as Tilt renders it",
      files: [devValues],
      set: { "dev.watch": "true", "securityContext.readOnlyRootFilesystem": "false" },
    },
    // What the single-node test cluster installs (scripts/k8s/cluster/release.ts).
    {
      name: "k8s/values-test-cluster.yaml",
      files: [testClusterValues ?? ""],
      set: Object.fromEntries(
        testClusterSets.filter((arg) => arg !== "--set").map((arg) => arg.split("=", 2) as [string, string]),
      ),
    },
  ];
}

/** One of supportedValues() by its name. */
export function valuesCase(name: string): ValuesCase {
  const found = supportedValues().find((values) => values.name === name);
  if (!found) throw new Error(`no values case ${name}`);
  return found;
}

function valuesArgs(values: ValuesCase): string[] {
  return [
    ...values.files.flatMap((file) => ["--values", file]),
    ...Object.entries(values.set ?? {}).flatMap(([key, value]) => ["--set", `${key}=${value}`]),
  ];
}

export const RELEASE = "chatroom";
export const NAMESPACE = "chatroom";

/** `helm template` output as text. Rejects with helm's message on failure. */
export async function helmTemplateText(values: ValuesCase, namespace = NAMESPACE, chart = chartDir): Promise<string> {
  const { stdout } = await run(
    tool("helm"),
    ["template", RELEASE, chart, "--namespace", namespace, ...valuesArgs(values)],
    { maxBuffer: 64 * 1024 * 1024 },
  ).catch((error: unknown) => {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(`helm template (${values.name}) failed: ${stderr.trim() || String(error)}`);
  });
  return stdout;
}

/** `helm template`, parsed; documents that render empty are dropped. Rejects with helm's message on failure. */
export async function helmTemplate(values: ValuesCase, namespace = NAMESPACE, chart = chartDir): Promise<Manifest[]> {
  return parseManifests(await helmTemplateText(values, namespace, chart));
}

export function parseManifests(text: string): Manifest[] {
  const manifests: Manifest[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) throw new Error(`rendered YAML is invalid: ${document.errors[0]?.message}`);
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    manifests.push(value as Manifest);
  }
  return manifests;
}

/** Runs helm with a kubeconfig (against the local kube-apiserver); resolves with its output, rejects with it. */
export async function helmWithCluster(kubeconfig: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(tool("helm"), [...args, "--kubeconfig", kubeconfig], {
      maxBuffer: 64 * 1024 * 1024,
      env: {
        ...process.env,
        HELM_CACHE_HOME: join(kubeconfig, "../helm-cache"),
        HELM_CONFIG_HOME: join(kubeconfig, "../helm-config"),
      },
    });
    return stdout;
  } catch (error) {
    const output = error as { stdout?: string; stderr?: string };
    throw new Error(`helm ${args[0]} failed:\n${output.stdout ?? ""}${output.stderr ?? ""}`);
  }
}

export function valuesArguments(values: ValuesCase): string[] {
  return valuesArgs(values);
}

/** `helm lint --strict`; resolves with its output, rejects with it when the chart fails. */
export async function helmLint(values: ValuesCase): Promise<string> {
  try {
    const { stdout } = await run(tool("helm"), ["lint", "--strict", chartDir, ...valuesArgs(values)]);
    return stdout;
  } catch (error) {
    const output = error as { stdout?: string; stderr?: string };
    throw new Error(`helm lint --strict (${values.name}) failed:\n${output.stdout ?? ""}${output.stderr ?? ""}`);
  }
}

export function findManifest(manifests: Manifest[], kind: string, name: string): Manifest {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) {
    const present = manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(", ");
    throw new Error(`no ${kind}/${name} among ${present}`);
  }
  return found;
}
