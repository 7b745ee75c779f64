// `npm run bench [-- scenario… --target=embedded|cluster …]`: the load harness (see docs/benchmarks.md, "Method").
// Runs through bench.sh, which raises the open-files limit first.
import { parseArgs } from "node:util";
import { runBenchmarks } from "./lib/run.ts";
import { isScenario, SCENARIOS, type ScenarioName } from "./scenarios/index.ts";

const USAGE = `usage: npm run bench -- [connections] [fan-out] [ingress] [resume] [options]
  --target=embedded|cluster   system under test (default embedded)
  --no-baseline               skip the baselines (connections, fan-out)
  --baselines=socket.io,centrifugo   which baselines (default both; Centrifugo v6 is built with \`go install\` into
                              .tools/ on first use, and skipped with a message where Go is missing)
  --profile                   CPU-profile the servers in each measured window
  --heap                      connections: heap snapshots before/after, growth per connection by constructor
  --no-record                 print only; do not append to docs/benchmarks.md (also BENCH_NO_RECORD=1)
  --workers=2                 load-generator processes for receiving clients
  --logics=2 --comets=2 --jobs=2   cluster shape
  --keep                      keep logs and profiles (.data/bench/run-*)
  --quiet-load=1.0            before each scenario, wait (≤ 10 min) for the 1-min load average to drop below this
scenario parameters (comma lists run one step each; --<scenario>.<name>=… applies to one scenario only):
  connections: --n=1000,5000,10000,19500 --settle-ms=5000
  fan-out:     --members=1000 --rooms=1 --rate=25,100,400,1600 --via=push,send --duration=10 --bytes=100
  ingress:     --senders=20 --rooms=<senders> --concurrency=64 --rate=0 --duration=10 --via=http,ws --bytes=100
  resume:      --clients=1000 --rate=50 --duration=12`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  strict: false,
  options: {
    target: { type: "string", default: "embedded" },
    "no-baseline": { type: "boolean", default: false },
    baselines: { type: "string" },
    profile: { type: "boolean", default: false },
    heap: { type: "boolean", default: false },
    "no-record": { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});

if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const target = values.target;
if (target !== "embedded" && target !== "cluster") {
  console.error(`--target must be embedded or cluster\n${USAGE}`);
  process.exit(2);
}
const unknown = positionals.filter((p) => !isScenario(p) && p !== "all");
if (unknown.length) {
  console.error(`unknown scenario ${unknown.join(", ")}\n${USAGE}`);
  process.exit(2);
}
const BASELINES = { "socket.io": "socketio", socketio: "socketio", centrifugo: "centrifugo" } as const;
const baselines = (typeof values.baselines === "string" ? values.baselines : "socket.io,centrifugo")
  .split(",")
  .filter((name) => name !== "")
  .map((name) => {
    const system = BASELINES[name as keyof typeof BASELINES];
    if (!system) {
      console.error(`--baselines: unknown baseline ${name} (socket.io, centrifugo)\n${USAGE}`);
      process.exit(2);
    }
    return system;
  });
const chosen = positionals.filter(isScenario);
const scenarios: ScenarioName[] = chosen.length ? chosen : (Object.keys(SCENARIOS) as ScenarioName[]);
const text = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : undefined);
const count = (name: string, fallback: number) => Number(text(name) ?? fallback);

const outcome = await runBenchmarks({
  scenarios,
  target,
  baseline: !values["no-baseline"] && baselines.length > 0,
  baselines,
  profile: Boolean(values.profile),
  heap: Boolean(values.heap),
  workers: count("workers", 2),
  cluster: { logics: count("logics", 2), comets: count("comets", 2), jobs: count("jobs", 2) },
  params: Object.fromEntries(Object.keys(values).map((k) => [k, text(k)])),
  record: !values["no-record"] && process.env.BENCH_NO_RECORD !== "1",
  keepWorkDir: Boolean(values.keep),
  quietLoad: count("quiet-load", 0),
  command: `npm run bench -- ${process.argv.slice(2).join(" ")}`.trim(),
});
process.exit(outcome.failures.length ? 1 : 0);
