/**
 * Prints the configuration table of the README from the services' config schemas, so the README cannot drift from
 * the code (test/docs/readme.test.ts compares them). Usage: node scripts/config-table.ts
 */
import { allInOneConfigSchema } from "@chatroom/all-in-one";
import { cometConfigSchema } from "@chatroom/comet";
import { describeConfig, type Setting } from "@chatroom/core";
import { jobConfigSchema } from "@chatroom/job";
import { logicConfigSchema } from "@chatroom/logic";

const sections: Array<[string, Record<string, Setting<unknown>>]> = [
  ["all-in-one", allInOneConfigSchema],
  ["logic", logicConfigSchema],
  ["comet", cometConfigSchema],
  ["job", jobConfigSchema],
];

export function configTable(): string {
  const lines = ["| variable | default | used by | meaning |", "|---|---|---|---|"];
  for (const [service, schema] of sections) {
    for (const row of describeConfig(schema)) {
      const shown = row.default === "" ? "(none)" : `\`${row.default}\``;
      lines.push(`| \`${row.env}\` | ${shown} | ${service} | ${row.description.replaceAll("|", "\\|")} |`);
    }
  }
  return lines.join("\n");
}

if (import.meta.main) console.log(configTable());
