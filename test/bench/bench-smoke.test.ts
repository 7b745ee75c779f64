// Smoke run of the benchmark harness (scripts/bench): every scenario with tiny numbers for a few seconds against the
// embedded default and the baselines (Socket.IO, and Centrifugo — built with Go on first use, its skip message checked
// where Go is missing), so the harness cannot rot. It checks that the harness produces
// figures, delivers messages and loses nothing on resume — never how fast anything is. Nothing is appended to
// docs/benchmarks.md (record: false; the recording test writes to a temporary file).
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { BaselineSkipped, ensureCentrifugo } from "../../scripts/bench/centrifugo/install.ts";
import type { ScenarioResult } from "../../scripts/bench/lib/report.ts";
import { type RunOptions, runBenchmarks } from "../../scripts/bench/lib/run.ts";
import type { ScenarioName } from "../../scripts/bench/scenarios/index.ts";

const DOCS = resolve(import.meta.dirname, "../../docs/benchmarks.md");

function docsStamp(): string {
  try {
    const stat = statSync(DOCS);
    return `${stat.size}:${stat.mtimeMs}`;
  } catch {
    return "absent";
  }
}

const quiet: string[] = [];

/** Set when this machine has no Go: the harness must then say that it skipped the Centrifugo baseline. */
let noGo = false;

// The first build of Centrifugo downloads and compiles its modules: minutes, outside the scenarios' time limit.
before(
  async () => {
    try {
      await ensureCentrifugo((line) => quiet.push(line));
    } catch (error) {
      if (!(error instanceof BaselineSkipped)) throw error;
      noGo = true;
    }
  },
  { timeout: 30 * 60_000 },
);

/** Centrifugo ran (figure `ran` present) or, without Go, was skipped with the message. */
function assertCentrifugo(result: ScenarioResult, ran: string): number {
  if (noGo) {
    assert.equal(result.figures.cfSkipped, 1, "the Centrifugo baseline was skipped with a message");
    assert.ok(result.notes.some((note) => /Centrifugo baseline skipped: Go is not installed/.test(note)));
    return Number.NaN;
  }
  assert.equal(result.figures.cfSkipped, undefined, "Centrifugo ran");
  return result.figures[ran] ?? Number.NaN;
}

function options(scenario: ScenarioName, params: Record<string, string>): RunOptions {
  return {
    scenarios: [scenario],
    target: "embedded",
    baseline: true,
    profile: false,
    workers: 1,
    cluster: { logics: 1, comets: 1, jobs: 1 },
    params,
    record: false,
    command: `smoke ${scenario}`,
    log: (line) => quiet.push(line),
  };
}

async function run(scenario: ScenarioName, params: Record<string, string>): Promise<ScenarioResult> {
  const outcome = await runBenchmarks(options(scenario, params));
  assert.deepEqual(outcome.failures, [], `the ${scenario} scenario failed; log:\n${quiet.slice(-30).join("\n")}`);
  const [result] = outcome.results;
  assert.ok(result, `the ${scenario} scenario produced a result`);
  assert.ok(result.tables.length > 0 && result.tables.every((t) => t.rows.length > 0), "it produced table rows");
  return result;
}

describe("benchmark harness smoke run", { timeout: 120_000 }, () => {
  let stamp = "";
  before(() => {
    stamp = docsStamp();
  });
  after(() => {
    assert.equal(docsStamp(), stamp, "the smoke run left docs/benchmarks.md untouched");
  });

  test("the connections scenario opens every connection and reports memory per connection, beside both baselines", async () => {
    const result = await run("connections", { n: "40", "settle-ms": "300" });
    assert.equal(result.figures.opened, 40);
    assert.equal(result.figures.failed, 0);
    assert.equal(result.figures.sioOpened, 40);
    if (!noGo) assert.equal(assertCentrifugo(result, "cfOpened"), 40);
    else assertCentrifugo(result, "cfOpened");
    assert.ok(Number.isFinite(result.figures.rssPerConnKb), "RSS per connection is a number");
    assert.ok(Number.isFinite(result.figures.heapPerConnKb), "heap per connection is a number");
    assert.ok((result.figures.connectsPerSecond ?? 0) > 0, "a connect rate was measured");
  });

  test("the fan-out scenario delivers every pushed and sent message to every member, on chatroom and both baselines", async () => {
    const result = await run("fan-out", { members: "12", rooms: "2", rate: "20", duration: "1.5" });
    assert.ok((result.figures.delivered ?? 0) > 0, "chatroom delivered messages");
    assert.equal(result.figures.drops, 0);
    assert.equal(result.figures.extra, 0, "nothing arrived beyond what was acknowledged");
    assert.ok((result.figures.sioDelivered ?? 0) > 0, "Socket.IO delivered messages");
    if (!noGo) {
      assert.ok(assertCentrifugo(result, "cfDelivered") > 0, "Centrifugo delivered messages");
      assert.equal(result.figures.cfDrops, 0, "Centrifugo lost nothing either");
    } else assertCentrifugo(result, "cfDelivered");
    const latencies = result.tables[0]?.rows.map((row) => row[8]);
    assert.ok(
      latencies?.every((p50) => p50 !== "0"),
      "every step measured a latency",
    );
  });

  test("the ingress scenario acknowledges durable sends over HTTP and over the WebSocket and sees them delivered", async () => {
    const result = await run("ingress", { senders: "3", concurrency: "4", duration: "1.5" });
    assert.ok((result.figures.httpSendsPerSecond ?? 0) > 0, "HTTP sends were acknowledged");
    assert.ok((result.figures.wsSendsPerSecond ?? 0) > 0, "WebSocket sends were acknowledged");
    assert.ok((result.figures.httpDelivered ?? 0) > 0 && (result.figures.wsDelivered ?? 0) > 0, "listeners got them");
    assert.equal(result.figures.drops, 0);
  });

  test("the resume scenario brings every client back after the process is killed with nothing lost or duplicated", async () => {
    const result = await run("resume", { clients: "8", rate: "20", duration: "3" });
    assert.ok((result.figures.sent ?? 0) > 0, "messages were sent across the crash");
    assert.equal(result.figures.affected, 8, "every client reconnected");
    assert.equal(result.figures.openAtEnd, 8);
    assert.equal(result.figures.lost, 0);
    assert.equal(result.figures.duplicates, 0);
    assert.equal(result.figures.gaps, 0);
    assert.ok((result.figures.resumeAllMs ?? 0) > 0, "a resume time was measured");
  });

  test("a recorded run appends a dated entry with commit, machine, load, command and figures", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bench-docs-"));
    try {
      const file = join(dir, "benchmarks.md");
      const outcome = await runBenchmarks({
        ...options("connections", { n: "5", "settle-ms": "100" }),
        baseline: false,
        record: true,
        docsFile: file,
        command: "npm run bench -- connections --n=5",
      });
      assert.deepEqual(outcome.failures, []);
      const text = readFileSync(file, "utf8");
      assert.match(text, /^# Benchmarks/);
      assert.match(text, /^### \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC — connections \(embedded\)$/m);
      assert.match(text, /Command: `npm run bench -- connections --n=5`/);
      assert.match(text, /Commit: [0-9a-f]{12}/);
      assert.match(text, /Machine: .+nproc \d+, [\d.]+ GiB RAM, .+Node v\d+/);
      assert.match(text, /Load average \(1\/5\/15 min\): [\d.]+ [\d.]+ [\d.]+ at the start/);
      assert.match(text, /\| embedded \| 5 +\| 5 /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the Centrifugo baseline's installer", () => {
  test("skips the baseline with a message naming the missing Go, rather than failing the run", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bench-no-go-"));
    try {
      await assert.rejects(
        ensureCentrifugo(() => {}, { dir, goCandidates: [join(dir, "no-such-go")] }),
        (error) =>
          error instanceof BaselineSkipped &&
          /^Centrifugo baseline skipped: Go is not installed .*go install github\.com\/centrifugal\/centrifugo\/v6@v6\.9\.1/.test(
            error.message,
          ),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
