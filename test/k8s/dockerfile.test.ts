// The container image, checked without a Docker engine: hadolint, then what the Dockerfile must guarantee (Node 24,
// production dependencies only, non-root, tini as PID 1, nothing written outside /tmp and /data, every command), and
// that the runtime's sources only import packages their workspace declares as production dependencies.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import {
  dockerignoreIncludes,
  type Instruction,
  lineage,
  parseDockerfile,
  readDockerignore,
} from "./support/dockerfile.ts";
import { repoRoot, tool } from "./support/tools.ts";

const run = promisify(execFile);
const dockerfileText = readFileSync(join(repoRoot, "Dockerfile"), "utf8");
const dockerfile = parseDockerfile(dockerfileText);
const ignore = readDockerignore(readFileSync(join(repoRoot, ".dockerignore"), "utf8"));

const instructions = (stage: string, keyword: string): Instruction[] =>
  lineage(dockerfile, stage)
    .reverse()
    .flatMap((s) => s.instructions)
    .filter((i) => i.keyword === keyword);

/** COPY sources taken from the build context (not --from another stage). */
function contextCopies(): string[] {
  return dockerfile.stages.flatMap((stage) =>
    stage.instructions
      .filter((i) => i.keyword === "COPY" && !/--from=/.test(i.args))
      .flatMap((i) => {
        const parts = i.args.split(/\s+/).filter((part) => !part.startsWith("--"));
        return parts.slice(0, -1);
      }),
  );
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  if (statSync(dir).isFile()) return [dir];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

describe("the Dockerfile", () => {
  it("passes hadolint with no finding at any level", async () => {
    const { stdout } = await run(tool("hadolint"), ["--format", "json", "--failure-threshold", "style", "Dockerfile"], {
      cwd: repoRoot,
    }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? "hadolint failed" }));
    assert.deepEqual(JSON.parse(stdout), []);
  });

  it("builds every Node stage on the official Node 24 image", () => {
    assert.match(dockerfile.globalArgs.NODE_IMAGE ?? "", /^node:24-[a-z]+-slim$/);
    for (const stage of ["manifests", "runtime-base"])
      assert.equal(dockerfile.stage(stage).from, dockerfile.globalArgs.NODE_IMAGE);
    for (const stage of ["build", "prod-deps", "dev", "runtime"]) {
      assert.equal(lineage(dockerfile, stage).at(-1)?.from, dockerfile.globalArgs.NODE_IMAGE, stage);
    }
  });

  it("ships production dependencies only: the runtime copies node_modules from an `npm ci --omit=dev` stage", () => {
    assert.ok(instructions("prod-deps", "RUN").some((i) => /\bnpm ci\b.*--omit=dev/.test(i.args)));
    assert.ok(!instructions("prod-deps", "RUN").some((i) => /\bnpm (ci|install)\b(?!.*--omit=dev)/.test(i.args)));
    const fromStages = instructions("runtime", "COPY")
      .map((i) => /--from=(\S+)/.exec(i.args)?.[1])
      .filter((stage) => stage !== undefined);
    assert.deepEqual([...new Set(fromStages)].sort(), ["build", "prod-deps"]);
    const fromBuild = instructions("runtime", "COPY").filter((i) => i.args.includes("--from=build"));
    assert.deepEqual(
      fromBuild.map((i) => i.args),
      ["--from=build /app/packages/web/public packages/web/public"],
      "only the web bundle comes from the stage with every dependency",
    );
    // Every workspace's manifest is in place before npm ci, so that the workspaces are linked.
    const workspaces = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { workspaces: string[] })
      .workspaces;
    const manifests = instructions("manifests", "COPY").map((i) => i.args.split(/\s+/)[0]);
    for (const workspace of workspaces) assert.ok(manifests.includes(`${workspace}/package.json`), workspace);
  });

  it("runs as a numeric non-root user under tini, with `chatroom <command>` as its command", () => {
    for (const stage of ["runtime", "dev"]) {
      assert.match(instructions(stage, "USER").at(-1)?.args ?? "", /^[1-9]\d*:[1-9]\d*$/, stage);
    }
    assert.ok(instructions("runtime", "RUN").some((i) => /apt-get install\b.*\btini\b/.test(i.args)));
    assert.equal(
      instructions("runtime", "ENTRYPOINT").at(-1)?.args,
      '["/usr/bin/tini", "--", "/usr/local/bin/chatroom"]',
    );
    assert.equal(instructions("runtime", "CMD").at(-1)?.args, '["all-in-one"]');
    assert.ok(
      instructions("runtime", "COPY").some((i) =>
        /scripts\/k8s\/chatroom\.sh \/usr\/local\/bin\/chatroom$/.test(i.args),
      ),
    );
    assert.equal(dockerfile.stages.at(-1)?.name, "runtime", "a plain `docker build .` builds the runtime");
  });

  it("writes nowhere but /tmp and /data: the SQLite folder is /data, owned by the runtime user", () => {
    const env = instructions("runtime", "ENV")
      .map((i) => i.args)
      .join(" ");
    assert.match(env, /CHATROOM_DATA_DIR=\/data\b/);
    assert.ok(instructions("runtime", "RUN").some((i) => /mkdir -p \/data && chown 1000:1000 \/data/.test(i.args)));
    assert.doesNotMatch(env, /NODE_COMPILE_CACHE/, "no compile cache written at run time");
  });

  it("sends every file the Dockerfile copies through .dockerignore, and keeps local state out", () => {
    for (const source of contextCopies()) {
      const files = filesUnder(join(repoRoot, source)).map((file) => relative(repoRoot, file));
      assert.ok(files.length > 0, `${source} exists`);
      const shipped = files.filter((file) => dockerignoreIncludes(ignore, file));
      assert.ok(shipped.length > 0, `${source} reaches the build context`);
    }
    for (const kept of [
      "node_modules/ws/package.json",
      ".tools/k8s/bin/helm",
      ".data/x",
      "packages/web/public/app.js",
      "services/comet/test/comet.test.ts",
      ".git/HEAD",
      "charts/chatroom/values.yaml",
    ]) {
      assert.equal(dockerignoreIncludes(ignore, kept), false, kept);
    }
  });

  it("copies the sources of every workspace package a service imports into the runtime", () => {
    const copied = instructions("runtime", "COPY").map((i) => i.args.split(/\s+/).at(-1) ?? "");
    const dirs: Record<string, string> = {
      "@chatroom/core": "packages/core/src",
      "@chatroom/kafka": "packages/kafka/src",
      "@chatroom/mysql": "packages/mysql/src",
      "@chatroom/backends": "packages/backends/src",
      "@chatroom/proto": "proto/src",
      "@chatroom/comet": "services/comet/src",
      "@chatroom/logic": "services/logic/src",
      "@chatroom/job": "services/job/src",
    };
    for (const file of runtimeFiles()) {
      for (const specifier of importsOf(file)) {
        if (!specifier.startsWith("@chatroom/")) continue;
        if (specifier === "@chatroom/web/server-paths") {
          assert.ok(copied.includes("packages/web/") && copied.includes("packages/web/public"));
          continue;
        }
        const dir = dirs[specifier.split("/").slice(0, 2).join("/")];
        assert.ok(dir && copied.includes(dir), `${relative(repoRoot, file)} imports ${specifier}, not in the image`);
      }
    }
    assert.ok(copied.includes("docs/"), "logic serves docs/openapi.yaml");
  });

  it("imports at run time only packages that `npm ci --omit=dev` installs (a workspace's dependencies)", () => {
    const production = productionDependencies();
    const problems: string[] = [];
    for (const file of runtimeFiles()) {
      for (const specifier of importsOf(file)) {
        if (specifier.startsWith(".") || specifier.startsWith("node:") || specifier.startsWith("@chatroom/")) continue;
        const name = specifier.startsWith("@")
          ? specifier.split("/").slice(0, 2).join("/")
          : (specifier.split("/")[0] ?? "");
        if (!production.has(name)) problems.push(`${relative(repoRoot, file)} imports ${name}`);
      }
    }
    assert.deepEqual(problems, []);
  });
});

describe("the image's command (scripts/k8s/chatroom.sh)", () => {
  it("runs each service's entry file and the migrations with node, and any other command as given", async () => {
    const bin = mkdtempSync(join(tmpdir(), "chatroom-fake-node-"));
    try {
      // A stand-in node that reports what it was asked to run.
      writeFileSync(join(bin, "node"), '#!/bin/sh\necho "node $*"\n');
      chmodSync(join(bin, "node"), 0o755);
      const script = join(repoRoot, "scripts/k8s/chatroom.sh");
      const runAs = async (...args: string[]) =>
        (await run("sh", [script, ...args], { cwd: repoRoot, env: { PATH: `${bin}:/usr/bin:/bin` } })).stdout.trim();
      for (const service of ["comet", "logic", "job", "all-in-one"]) {
        const ran = await runAs(service, "--flag");
        // A comet gets its V8 flags (COMET_NODE_FLAGS replaces them).
        const flags = service === "comet" ? "--max-semi-space-size=1 " : "";
        assert.equal(ran, `node ${flags}services/${service}/src/main.ts --flag`);
        assert.ok(existsSync(join(repoRoot, `services/${service}/src/main.ts`)));
      }
      assert.equal(await runAs(), "node services/all-in-one/src/main.ts");
      assert.equal(await runAs("migrate"), "node scripts/migrate.ts");
      assert.ok(existsSync(join(repoRoot, "scripts/migrate.ts")));
      assert.equal(
        await runAs("node", "--watch", "services/comet/src/main.ts"),
        "node --watch services/comet/src/main.ts",
      );
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});

/** The files the runtime image runs: what its COPY instructions take from the context, TypeScript only. */
function runtimeFiles(): string[] {
  return instructions("runtime", "COPY")
    .filter((i) => !/--from=/.test(i.args))
    .flatMap((i) =>
      i.args
        .split(/\s+/)
        .filter((part) => !part.startsWith("--"))
        .slice(0, -1),
    )
    .flatMap((source) => filesUnder(join(repoRoot, source)))
    .filter((file) => file.endsWith(".ts"));
}

/** Bare and relative specifiers of the file's value imports (type-only imports are erased). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specifiers: string[] = [];
  for (const match of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'"]*?\sfrom\s+"([^"]+)"/gm)) {
    if (!match[2]) specifiers.push(match[3] ?? "");
  }
  for (const match of text.matchAll(/^\s*import\s+"([^"]+)"/gm)) specifiers.push(match[1] ?? "");
  for (const match of text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)) specifiers.push(match[1] ?? "");
  return specifiers;
}

/** The dependencies (not devDependencies) of the root and of every workspace: what the runtime's node_modules holds. */
function productionDependencies(): Set<string> {
  const root = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
    workspaces: string[];
    dependencies?: Record<string, string>;
  };
  const names = new Set(Object.keys(root.dependencies ?? {}));
  for (const workspace of root.workspaces) {
    const manifest = JSON.parse(readFileSync(join(repoRoot, workspace, "package.json"), "utf8")) as {
      dependencies?: Record<string, string>;
    };
    for (const name of Object.keys(manifest.dependencies ?? {})) names.add(name);
  }
  return names;
}
