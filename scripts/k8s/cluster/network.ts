// The test cluster's network: one Linux bridge (BRIDGE, address NODE_IP) that the CNI bridge plugin attaches every
// pod to, the Service range routed onto that bridge, and a guard in iptables' FORWARD chain so that nothing is
// forwarded between the pods and any other interface: pods talk to each other, to Services and to the host's
// addresses, never beyond the machine. kube-proxy adds its own rules (kube-proxy --cleanup removes them).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BRIDGE, NODE_IP, POD_CIDR, paths, SERVICE_CIDR } from "./layout.ts";
import { attempt, log, run } from "./run.ts";

const GUARD_CHAIN = "CHATROOM-K8S-FORWARD";

/**
 * Kernel settings the cluster needs: forwarding (Service traffic from a pod to a pod is routed through the host),
 * bridged traffic through iptables (a Service reply between two pods on the bridge must be un-NATed), and those the
 * kubelet insists on setting itself. The values found first are saved and k8s:down puts them back.
 */
const SYSCTLS: Record<string, string> = {
  "net/ipv4/ip_forward": "1",
  "net/bridge/bridge-nf-call-iptables": "1",
  "kernel/panic": "10",
  "kernel/panic_on_oops": "1",
  "vm/overcommit_memory": "1",
};

function readSysctl(name: string): string {
  return readFileSync(join("/proc/sys", name), "utf8").trim();
}

export function setSysctls(): void {
  if (!existsSync(paths.sysctls)) {
    const saved = Object.fromEntries(Object.keys(SYSCTLS).map((name) => [name, readSysctl(name)]));
    mkdirSync(paths.pids, { recursive: true });
    writeFileSync(paths.sysctls, JSON.stringify(saved, null, 2));
  }
  for (const [name, value] of Object.entries(SYSCTLS)) {
    if (name.startsWith("kernel/") || name.startsWith("vm/")) continue; // the kubelet sets these itself
    writeFileSync(join("/proc/sys", name), value);
  }
}

export function restoreSysctls(): void {
  if (!existsSync(paths.sysctls)) return;
  const saved = JSON.parse(readFileSync(paths.sysctls, "utf8")) as Record<string, string>;
  for (const [name, value] of Object.entries(saved)) {
    try {
      if (readSysctl(name) !== value) writeFileSync(join("/proc/sys", name), value);
    } catch (error) {
      log(`could not restore ${name}=${value}: ${(error as Error).message}`);
    }
  }
}

export async function createBridge(): Promise<void> {
  if (!(await attempt("ip", ["link", "show", BRIDGE]))) {
    await run("ip", ["link", "add", BRIDGE, "type", "bridge"]);
  }
  await run("ip", ["addr", "replace", `${NODE_IP}/${POD_CIDR.split("/")[1]}`, "dev", BRIDGE]);
  await run("ip", ["link", "set", BRIDGE, "up"]);
  // A connection to a Service IP that kube-proxy did not (yet) translate stays on the bridge instead of following
  // the default route off the machine.
  await run("ip", ["route", "replace", SERVICE_CIDR, "dev", BRIDGE, "src", NODE_IP]);
  await guardForwarding();
}

async function guardForwarding(): Promise<void> {
  await attempt("iptables", ["-w", "-N", GUARD_CHAIN]);
  await run("iptables", ["-w", "-F", GUARD_CHAIN]);
  await run("iptables", ["-w", "-A", GUARD_CHAIN, "-i", BRIDGE, "-o", BRIDGE, "-j", "RETURN"]);
  await run("iptables", ["-w", "-A", GUARD_CHAIN, "-i", BRIDGE, "-j", "DROP"]);
  await run("iptables", ["-w", "-A", GUARD_CHAIN, "-o", BRIDGE, "-j", "DROP"]);
  if (!(await attempt("iptables", ["-w", "-C", "FORWARD", "-j", GUARD_CHAIN]))) {
    await run("iptables", ["-w", "-I", "FORWARD", "1", "-j", GUARD_CHAIN]);
  }
}

export async function removeBridge(): Promise<void> {
  while (await attempt("iptables", ["-w", "-D", "FORWARD", "-j", GUARD_CHAIN])) {
    // a rule inserted twice (an interrupted earlier run) is removed twice
  }
  await attempt("iptables", ["-w", "-F", GUARD_CHAIN]);
  await attempt("iptables", ["-w", "-X", GUARD_CHAIN]);
  await attempt("ip", ["route", "del", SERVICE_CIDR, "dev", BRIDGE]);
  await attempt("ip", ["link", "del", BRIDGE]);
}

/**
 * Removes every KUBE-* chain and every rule jumping to one, in each table of iptables and ip6tables: what kube-proxy
 * --cleanup leaves (the kubelet's KUBE-FIREWALL and canary chains). No other Kubernetes runs on these machines.
 */
export async function removeKubeChains(): Promise<void> {
  for (const command of ["iptables", "ip6tables"]) {
    for (const table of ["filter", "nat", "mangle"]) {
      const rules = await run(command, ["-w", "-t", table, "-S"]).catch(() => "");
      const chains = [...rules.matchAll(/^-N (KUBE-\S+)$/gm)].map((m) => m[1] as string);
      if (chains.length === 0) continue;
      for (const line of rules.split("\n").filter((l) => /^-A \S+ .*-j KUBE-/.test(l))) {
        // iptables -S quotes arguments with spaces (comments): split as the shell would.
        const words = [...line.slice(3).matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? "");
        await attempt(command, ["-w", "-t", table, "-D", ...words]);
      }
      for (const chain of chains) await attempt(command, ["-w", "-t", table, "-F", chain]);
      for (const chain of chains) await attempt(command, ["-w", "-t", table, "-X", chain]);
    }
  }
}

/** The CNI configuration containerd reads: the bridge plugin with host-local addresses from POD_CIDR. */
export function writeCniConfig(): void {
  mkdirSync(paths.cniConfig, { recursive: true });
  const config = {
    cniVersion: "0.4.0",
    name: "chatroom",
    plugins: [
      {
        type: "bridge",
        bridge: BRIDGE,
        isGateway: true,
        isDefaultGateway: true,
        // No masquerading: pods never reach beyond the machine, so they need no address translation to the outside.
        ipMasq: false,
        // A pod may reach itself through a Service (hairpin).
        hairpinMode: true,
        ipam: {
          type: "host-local",
          ranges: [[{ subnet: POD_CIDR, gateway: NODE_IP }]],
          dataDir: paths.cniIpam,
        },
      },
    ],
  };
  writeFileSync(join(paths.cniConfig, "10-chatroom.conflist"), JSON.stringify(config, null, 2));
}
