// What the cluster test reads from the single-node cluster of scripts/k8s/cluster: Services' addresses, the pods of a
// component, SDK clients on a chosen comet pod, and the logs to show when something fails.
import { Resolver } from "node:dns/promises";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { kubectl, kubectlJson } from "../../../scripts/k8s/cluster/kubectl.ts";
import { NAMESPACE, NODE_IP, paths, ports } from "../../../scripts/k8s/cluster/layout.ts";
import { type Member, openTab, type Tab } from "../../cluster/support/cluster-fixture.ts";

export type { Member, Tab };

export interface PodInfo {
  name: string;
  uid: string;
  ready: boolean;
  terminating: boolean;
  /** Value of the pod template's config checksum annotation. */
  checksum: string | undefined;
  env: Record<string, string>;
}

interface PodList {
  items: Array<{
    metadata: { name: string; uid: string; deletionTimestamp?: string; annotations?: Record<string, string> };
    spec: { containers: Array<{ env?: Array<{ name: string; value?: string }> }> };
    status: { conditions?: Array<{ type: string; status: string }> };
  }>;
}

export async function podsOf(component: string): Promise<PodInfo[]> {
  const list = await kubectlJson<PodList>([
    "-n",
    NAMESPACE,
    "get",
    "pods",
    "-l",
    `app.kubernetes.io/component=${component}`,
  ]);
  return list.items
    .map((pod) => ({
      name: pod.metadata.name,
      uid: pod.metadata.uid,
      ready: pod.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true,
      terminating: pod.metadata.deletionTimestamp !== undefined,
      checksum: Object.entries(pod.metadata.annotations ?? {}).find(([key]) => key.startsWith("checksum/"))?.[1],
      env: Object.fromEntries((pod.spec.containers[0]?.env ?? []).map((e) => [e.name, e.value ?? ""])),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** A Service's cluster IP: the tests on the host reach it through kube-proxy's rules, as a pod would. */
export async function serviceIp(name: string): Promise<string> {
  const service = await kubectlJson<{ spec: { clusterIP: string } }>(["-n", NAMESPACE, "get", "service", name]);
  return service.spec.clusterIP;
}

/** A pod's endpoint in the EndpointSlices of a Service (what job's discovery and CoreDNS read). */
export async function endpointOf(
  service: string,
  pod: string,
): Promise<{ address: string; ready: boolean; serving: boolean; terminating: boolean } | undefined> {
  const slices = await kubectlJson<{
    items: Array<{
      endpoints?: Array<{
        addresses: string[];
        targetRef?: { name: string };
        conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
      }>;
    }>;
  }>(["-n", NAMESPACE, "get", "endpointslices", "-l", `kubernetes.io/service-name=${service}`]);
  for (const endpoint of slices.items.flatMap((slice) => slice.endpoints ?? [])) {
    if (endpoint.targetRef?.name !== pod) continue;
    const conditions = endpoint.conditions ?? {};
    return {
      address: endpoint.addresses[0] ?? "",
      ready: conditions.ready !== false,
      serving: conditions.serving !== false,
      terminating: conditions.terminating === true,
    };
  }
  return undefined;
}

/** Resolves a name with the cluster's DNS (CoreDNS on the node), as a pod would; [] when it does not exist. */
export async function resolveInCluster(name: string): Promise<string[]> {
  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([`${NODE_IP}:${ports.dns}`]);
  return resolver.resolve4(name).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOTFOUND" || error.code === "ENODATA") return [];
    throw error;
  });
}

/** The Prometheus text of a pod's admin server (the tests reach pod IPs on the node's bridge). */
export async function podMetrics(pod: string, port: number): Promise<string> {
  const ip = await kubectl(["-n", NAMESPACE, "get", "pod", pod, "-o", "jsonpath={.status.podIP}"]);
  return (await fetch(`http://${ip}:${port}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
}

/**
 * An SDK client connected through the comets' Service that landed on the comet pod `comet` (the Service picks a
 * pod at random: connections that land elsewhere are closed and tried again).
 */
export async function openTabOn(comet: string, url: string, member: Member): Promise<Tab> {
  for (let attempt = 1; attempt <= 30; attempt += 1) {
    const tab = await openTab(member, url);
    if (tab.client.member?.server === comet) return tab;
    await tab.client.close();
  }
  throw new Error(`30 connections through ${url} never landed on ${comet}`);
}

export async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The end of every daemon's log and the release's state, for the report of a failed run. */
export async function clusterDiagnostics(): Promise<string> {
  const parts: string[] = [];
  parts.push(await kubectl(["get", "pods", "-A", "-o", "wide"]).catch((error: Error) => error.message));
  parts.push(await kubectl(["-n", NAMESPACE, "get", "events", "--sort-by=.lastTimestamp"]).catch(() => ""));
  if (existsSync(paths.logs)) {
    for (const file of readdirSync(paths.logs)) {
      const lines = readFileSync(join(paths.logs, file), "utf8").trimEnd().split("\n").slice(-15);
      parts.push(`---- ${file}\n${lines.join("\n")}`);
    }
  }
  if (existsSync(paths.podLogs)) {
    for (const pod of readdirSync(paths.podLogs)) {
      parts.push(
        await kubectl(["-n", NAMESPACE, "logs", "--all-containers", "--tail=20", pod.split("_")[1] ?? pod]).catch(
          () => "",
        ),
      );
    }
  }
  return parts.join("\n");
}
