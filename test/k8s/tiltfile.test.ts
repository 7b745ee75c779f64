// The Tiltfile and k8s/ against what they refer to (Tilt itself does not run here): the chart objects it names, the
// ports it forwards, the Dockerfile targets and paths it builds from, the kind cluster's ingress ports.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import { parse } from "yaml";
import { parseDockerfile } from "./support/dockerfile.ts";
import { helmTemplate, type Manifest, supportedValues } from "./support/helm.ts";
import { componentWorkload, podTemplate } from "./support/pods.ts";
import { repoRoot } from "./support/tools.ts";

const run = promisify(execFile);
const tiltfile = readFileSync(join(repoRoot, "Tiltfile"), "utf8");

/** The quoted strings of a Starlark list assigned to `name`. */
function listOf(name: string): string[] {
  const match = new RegExp(`^${name} = \\[([^\\]]*)\\]`, "m").exec(tiltfile);
  assert.ok(match, `${name} is defined`);
  return [...(match[1] ?? "").matchAll(/"([^"]+)"/g)].map((m) => m[1] ?? "");
}

/** Every k8s_resource(...) call (one line, or one argument per line): workload, objects and forwarded ports. */
function resources(): Array<{ workload: string; objects: string[]; ports: number[] }> {
  const calls = [
    ...[...tiltfile.matchAll(/^k8s_resource\((.*)\)$/gm)].map((m) => m[1] ?? ""),
    ...[...tiltfile.matchAll(/^k8s_resource\(\n([\s\S]*?)\n\)$/gm)].map((m) => m[1] ?? ""),
  ];
  assert.ok(calls.length >= 6, `found ${calls.length} k8s_resource calls`);
  return calls.map((call) => ({
    workload: /^\s*"([^"]+)"/.exec(call)?.[1] ?? "",
    objects: [...(/objects = \[([^\]]*)\]/.exec(call)?.[1] ?? "").matchAll(/"([^"]+)"/g)].map((o) => o[1] ?? ""),
    ports: [...call.matchAll(/port_forward\((\d+), (\d+)/g)].map((p) => Number(p[2])),
  }));
}

async function tiltRender(): Promise<Manifest[]> {
  const values = supportedValues().find((v) => v.name === "k8s/values-dev.yaml as Tilt renders it");
  assert.ok(values);
  for (const set of Object.entries(values.set ?? {}).map(([key, value]) => `${key}=${value}`)) {
    assert.ok(tiltfile.includes(`"${set}"`), `the test renders what the Tiltfile sets (${set})`);
  }
  assert.match(tiltfile, /values = \["k8s\/values-dev\.yaml"\]/);
  return helmTemplate(values);
}

describe("the Tiltfile", () => {
  it("is valid Starlark syntax (Python's grammar)", async () => {
    const { stdout } = await run(
      "python3",
      ["-c", "import ast,sys; ast.parse(open(sys.argv[1]).read()); print('ok')", "Tiltfile"],
      { cwd: repoRoot },
    ).catch(() => ({ stdout: "" }));
    assert.equal(stdout.trim(), "ok", "python3 parses the Tiltfile");
  });

  it("builds the Dockerfile's dev and web targets from paths that exist and that .dockerignore lets through", () => {
    const targets = new Set(
      parseDockerfile(readFileSync(join(repoRoot, "Dockerfile"), "utf8")).stages.map((s) => s.name),
    );
    for (const target of [...tiltfile.matchAll(/target = "([^"]+)"/g)].map((m) => m[1] ?? "")) {
      assert.ok(targets.has(target), `Dockerfile stage ${target}`);
    }
    const ignore = readFileSync(join(repoRoot, ".dockerignore"), "utf8");
    for (const path of [...listOf("WORKSPACE_MANIFESTS"), ...listOf("SOURCES")]) {
      assert.ok(existsSync(join(repoRoot, path)), `${path} exists`);
      assert.ok(
        ignore.includes(`!${path}`) || ignore.includes(`!${path.replace(/^(packages|services)\/[^/]+/, "$1/*")}`),
        path,
      );
    }
    for (const match of tiltfile.matchAll(/sync\("([^"]+)", "([^"]+)"\)/g)) {
      const [, from = "", to = ""] = match;
      assert.ok(existsSync(join(repoRoot, from)), `${from} exists`);
      assert.equal(to, `/app/${from}`, "synced to where the image has it");
    }
  });

  it("names workloads and objects the chart renders, and forwards ports the pods listen on", async () => {
    const manifests = await tiltRender();
    const names = new Set(manifests.map((m) => `${m.metadata.name}:${m.kind.toLowerCase()}`));
    for (const resource of resources()) {
      const workload = manifests.find(
        (m) => m.metadata.name === resource.workload && ["Deployment", "StatefulSet", "Kafka"].includes(m.kind),
      );
      assert.ok(workload, `${resource.workload} is rendered`);
      for (const object of resource.objects) assert.ok(names.has(object), `${object} is rendered`);
      if (workload.kind !== "Kafka") {
        const ports = podTemplate(workload).spec.containers.flatMap((c) => c.ports?.map((p) => p.containerPort) ?? []);
        for (const port of resource.ports) assert.ok(ports.includes(port), `${resource.workload} listens on ${port}`);
      }
    }
    assert.ok(componentWorkload(manifests, "web"), "the web client it port-forwards is rendered");
  });

  it("deploys the images it builds: the chart's images are the ones docker_build names", async () => {
    const manifests = await tiltRender();
    const built = new Set([...tiltfile.matchAll(/docker_build\(\s*"([^"]+)"/g)].map((m) => m[1] ?? ""));
    const used = manifests
      .filter((m) => ["Deployment", "StatefulSet"].includes(m.kind))
      .flatMap((m) => podTemplate(m).spec.containers.map((c) => c.image.split(":")[0] ?? ""))
      .filter((image) => image.startsWith("chatroom"));
    assert.deepEqual([...new Set(used)].sort(), [...built].sort());
  });
});

describe("k8s/", () => {
  it("maps the host's ports 80 and 443 into the kind node the ingress controller runs on", () => {
    const cluster = parse(readFileSync(join(repoRoot, "k8s/kind-cluster.yaml"), "utf8")) as {
      kind: string;
      nodes: Array<{
        extraPortMappings: Array<{ containerPort: number; hostPort: number }>;
        kubeadmConfigPatches: string[];
      }>;
    };
    assert.equal(cluster.kind, "Cluster");
    const node = cluster.nodes[0];
    assert.deepEqual(
      node?.extraPortMappings.map((p) => [p.containerPort, p.hostPort]),
      [
        [80, 80],
        [443, 443],
      ],
    );
    assert.match(node?.kubeadmConfigPatches.join("\n") ?? "", /node-labels: "ingress-ready=true"/);
    const ingress = readFileSync(join(repoRoot, "k8s/install-ingress-nginx.sh"), "utf8");
    assert.match(ingress, /controller\.nodeSelector\.ingress-ready=true/);
  });

  it("pins the Strimzi operator to the version whose CRDs the chart is checked against", () => {
    const script = readFileSync(join(repoRoot, "k8s/install-strimzi.sh"), "utf8");
    assert.match(script, /STRIMZI_VERSION="1\.2\.0"/);
    assert.ok(existsSync(join(repoRoot, "k8s/crds/strimzi-1.2.0/040-Crd-kafka.yaml")));
  });

  it("creates the namespace the Tiltfile deploys to", () => {
    const namespace = parse(readFileSync(join(repoRoot, "k8s/namespace.yaml"), "utf8")) as {
      metadata: { name: string };
    };
    assert.match(tiltfile, new RegExp(`NAMESPACE = "${namespace.metadata.name}"`));
  });
});
