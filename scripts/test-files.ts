/**
 * The test files of a tier, one per line (scripts/test.sh runs them):
 * - unit: no external service, no spawned cluster, quick — pure logic, the in-process seams (memory, SQLite), the
 *   services against fakes and each other in one process, the docs checks;
 * - integration: what needs Kafka, MySQL or Redis (any test that reaches test/support/services.ts through its
 *   relative imports), starts processes of its own (node:child_process, multiProcessAppendCases), needs
 *   Chromium or a whole chatroom (everything under test/ but k8s and docs);
 * - k8s: the chart, image and real-cluster checks (test/k8s);
 * - all: every test file.
 * Usage: node scripts/test-files.ts unit|integration|k8s|all
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

export type Tier = "unit" | "integration" | "k8s";

const root = resolve(import.meta.dirname, "..");
const SERVICES = join(root, "test/support/services.ts");
const IMPORT = /\bfrom\s+["'](\.{1,2}\/[^"']+)["']|\bimport\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g;

/** Every committed or new (not ignored) test file, sorted. */
export function testFiles(): string[] {
  const listed = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "--", "*.test.ts"], {
    cwd: root,
    encoding: "utf8",
  });
  return listed
    .split("\n")
    .filter((file) => file !== "" && existsSync(join(root, file)))
    .sort();
}

/** What makes a test start processes of its own. */
const SPAWNS = /["']node:child_process["']|\bmultiProcessAppendCases\b/;

/** True when `file`, or what it reaches through relative imports, uses the external-service harness or spawns. */
function usesServices(file: string, seen = new Set<string>()): boolean {
  if (file === SERVICES) return true;
  if (seen.has(file) || !existsSync(file)) return false;
  seen.add(file);
  const source = readFileSync(file, "utf8");
  if (SPAWNS.test(source)) return true;
  for (const match of source.matchAll(IMPORT)) {
    const target = resolve(dirname(file), match[1] ?? match[2] ?? "");
    if (usesServices(target, seen)) return true;
  }
  return false;
}

export function tierOf(file: string): Tier {
  if (file.startsWith("test/k8s/")) return "k8s";
  if (file.startsWith("test/") && !file.startsWith("test/docs/")) return "integration";
  return usesServices(join(root, file)) ? "integration" : "unit";
}

if (import.meta.main) {
  const wanted = process.argv[2] ?? "all";
  if (!["unit", "integration", "k8s", "all"].includes(wanted)) {
    console.error(`usage: node ${relative(process.cwd(), import.meta.filename)} unit|integration|k8s|all`);
    process.exit(2);
  }
  const files = testFiles().filter((file) => wanted === "all" || tierOf(file) === wanted);
  console.log(files.join("\n"));
}
