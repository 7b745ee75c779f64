import type { BenchContext } from "../lib/context.ts";
import type { ScenarioResult } from "../lib/report.ts";
import { connectionsScenario } from "./connections.ts";
import { fanOutScenario } from "./fan-out.ts";
import { ingressScenario } from "./ingress.ts";
import { resumeScenario } from "./resume.ts";

export type ScenarioName = "connections" | "fan-out" | "ingress" | "resume";

export const SCENARIOS: Record<ScenarioName, (ctx: BenchContext) => Promise<ScenarioResult>> = {
  connections: connectionsScenario,
  "fan-out": fanOutScenario,
  ingress: ingressScenario,
  resume: resumeScenario,
};

export function isScenario(name: string): name is ScenarioName {
  return name in SCENARIOS;
}
