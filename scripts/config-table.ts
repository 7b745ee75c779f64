/**
 * Prints the configuration table of the README from the services' config schemas, so the README cannot drift from
 * the code (test/docs/readme.test.ts compares them). Usage: node scripts/config-table.ts
 */
import { allInOneConfigSchema } from "@chatroom/all-in-one";
import { backendConfigSchema } from "@chatroom/backends";
import { cometConfigSchema, cometProcessConfigSchema } from "@chatroom/comet";
import { describeConfig, type Setting } from "@chatroom/core";
import { grpcConfigSchema } from "@chatroom/core/grpc";
import { jobConfigSchema, jobProcessConfigSchema, kubernetesDiscoveryConfigSchema } from "@chatroom/job";
import { logicConfigSchema, logicProcessConfigSchema } from "@chatroom/logic";

const sections: Array<[string, Record<string, Setting<unknown>>]> = [
  ["all-in-one", allInOneConfigSchema],
  ["logic", logicConfigSchema],
  ["comet", cometConfigSchema],
  ["job", jobConfigSchema],
  ["logic process", logicProcessConfigSchema],
  ["comet process", cometProcessConfigSchema],
  ["job process", jobProcessConfigSchema],
  ["job on Kubernetes", kubernetesDiscoveryConfigSchema],
  ["processes: backends", backendConfigSchema],
  ["processes: gRPC", grpcConfigSchema],
];

export function configTable(): string {
  const lines = ["| variable | default | used by | meaning |", "|---|---|---|---|"];
  const seen = new Set<string>();
  for (const [service, schema] of sections) {
    for (const row of describeConfig(schema)) {
      // A variable shared by several schemas (CHATROOM_SHUTDOWN_TIMEOUT_MS) is listed once, where it first appears.
      if (seen.has(row.env)) continue;
      seen.add(row.env);
      const shown = row.default === "" ? "(none)" : `\`${row.default}\``;
      lines.push(`| \`${row.env}\` | ${shown} | ${service} | ${row.description.replaceAll("|", "\\|")} |`);
    }
  }
  return lines.join("\n");
}

if (import.meta.main) console.log(configTable());
