/** Rewrites the README's configuration table from the config schemas. Usage: node scripts/update-readme.ts */
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { configTable } from "./config-table.ts";

const file = resolve(import.meta.dirname, "../README.md");
const readme = readFileSync(file, "utf8");
const updated = readme.replace(
  /<!-- config-table:start -->\n[\s\S]*?<!-- config-table:end -->/,
  `<!-- config-table:start -->\n${configTable()}\n<!-- config-table:end -->`,
);
writeFileSync(file, updated);
console.log(updated === readme ? "README.md: config table already up to date" : "README.md: config table updated");
