import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, it } from "node:test";
import { configTable } from "../../scripts/config-table.ts";

const root = resolve(import.meta.dirname, "../..");
const readme = readFileSync(resolve(root, "README.md"), "utf8");

describe("the README", () => {
  it("holds the configuration table generated from the config schemas", () => {
    const match = /<!-- config-table:start -->\n([\s\S]*?)\n<!-- config-table:end -->/.exec(readme);
    assert.ok(match, "README has the config-table markers");
    assert.equal(match[1], configTable(), "README's table is stale: run node scripts/update-readme.ts");
  });

  it("gives a quick start of exactly the start and test commands, which package.json and .ci/run use", () => {
    const quickStart = /## Quick start\n\n```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
    const commands = quickStart
      .split("\n")
      .map((line) => line.replace(/#.*$/, "").trim())
      .filter((line) => line.length > 0);
    assert.deepEqual(commands, ["npm start", "npm test"]);
    const pkg = JSON.parse(readFileSync(resolve(root, "package.json"), "utf8")) as { scripts: Record<string, string> };
    assert.ok(pkg.scripts.start && pkg.scripts.test);
    assert.match(readFileSync(resolve(root, ".ci/run"), "utf8"), /^npm test$/m);
  });
});
