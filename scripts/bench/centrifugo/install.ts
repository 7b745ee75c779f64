// The Centrifugo baseline's binary: Centrifugo v6 (memory engine) built with `go install` into the git-ignored
// .tools/centrifugo/v<version>/. Go is the only prerequisite; without it the baseline is skipped with a message
// saying so, while a Go that fails to build it fails the run.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../lib/machine.ts";

export const CENTRIFUGO_VERSION = "6.9.1";
const MODULE = "github.com/centrifugal/centrifugo/v6";
const DIR = join(ROOT, ".tools", "centrifugo", `v${CENTRIFUGO_VERSION}`);
/** Where Go is usually installed when it is not on PATH. */
const GO_CANDIDATES = ["go", "/usr/local/go/bin/go", "/usr/lib/go/bin/go"];

/** Thrown when a baseline cannot run on this machine for a reason that is not a failure (no Go). */
export class BaselineSkipped extends Error {}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error)
        reject(Object.assign(error, { output: `${stdout}${stderr}`.trim().split("\n").slice(-40).join("\n") }));
      else resolve(stdout.trim());
    });
  });
}

/** The first Go toolchain that answers `go version`, or undefined. */
async function findGo(candidates: readonly string[]): Promise<string | undefined> {
  for (const candidate of candidates) {
    try {
      await run(candidate, ["version"], process.env, 30_000);
      return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
}

/**
 * The path of the Centrifugo binary, built first when missing (the first build downloads and compiles its modules:
 * minutes). Rejects with BaselineSkipped when Go is missing, with the build's output when the build fails.
 */
export async function ensureCentrifugo(
  log: (line: string) => void = () => {},
  where: { dir?: string; goCandidates?: readonly string[] } = {},
): Promise<string> {
  const dir = where.dir ?? DIR;
  const binary = join(dir, "centrifugo");
  if (existsSync(binary)) return binary;
  const go = await findGo(where.goCandidates ?? GO_CANDIDATES);
  if (!go) {
    throw new BaselineSkipped(
      `Centrifugo baseline skipped: Go is not installed (no \`go\` on PATH nor in /usr/local/go/bin); install Go ≥ 1.24 ` +
        `and the harness builds Centrifugo v${CENTRIFUGO_VERSION} itself (go install ${MODULE}@v${CENTRIFUGO_VERSION}).`,
    );
  }
  mkdirSync(dir, { recursive: true });
  log(`  building Centrifugo v${CENTRIFUGO_VERSION} with ${go} install into ${dir} (the first time takes minutes)`);
  // The release's version stamp, as its own build sets it (otherwise it calls itself a development build).
  const ldflags = `-s -w -X ${MODULE}/internal/build.Version=${CENTRIFUGO_VERSION}`;
  try {
    await run(
      go,
      ["install", "-ldflags", ldflags, `${MODULE}@v${CENTRIFUGO_VERSION}`],
      { ...process.env, GOBIN: dir },
      30 * 60_000,
    );
  } catch (error) {
    const output = (error as { output?: string }).output ?? "";
    throw new Error(`go install ${MODULE}@v${CENTRIFUGO_VERSION} failed: ${(error as Error).message}\n${output}`);
  }
  if (!existsSync(binary)) throw new Error(`go install left no binary at ${binary}`);
  return binary;
}
