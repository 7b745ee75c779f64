import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Router } from "express";
import { OPENAPI_FILE } from "../src/http/openapi-route.ts";
import { openApiPath } from "../src/http/route.ts";
import { type Harness, request, startHarness } from "./harness.ts";

/**
 * The `METHOD /path` operations of an OpenAPI document, read line by line (no YAML parser is installed).
 * It relies on the document's layout: a top-level `paths:` key, each path a key indented by exactly two spaces and
 * starting with "/", each operation a key indented by exactly four spaces named after an HTTP method; the section
 * ends at the next top-level key.
 */
function openApiOperations(yaml: string): string[] {
  const operations: string[] = [];
  let inPaths = false;
  let path: string | null = null;
  for (const line of yaml.split(/\r?\n/)) {
    if (/^\S/.test(line)) {
      inPaths = /^paths:\s*$/.test(line);
      path = null;
      continue;
    }
    if (!inPaths) continue;
    const pathMatch = /^ {2}(\/[^\s:]*|"\/[^"]*"):\s*$/.exec(line);
    if (pathMatch) {
      path = (pathMatch[1] ?? "").replaceAll('"', "");
      continue;
    }
    const methodMatch = /^ {4}(get|put|post|delete|patch|head|options|trace):/.exec(line);
    if (methodMatch && path) operations.push(`${methodMatch[1]?.toUpperCase()} ${path}`);
  }
  return operations.sort();
}

interface RouteLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** The `METHOD /path` of every route registered on the router (its own routes, not middleware). */
function registeredOperations(router: Router): string[] {
  const stack = (router as unknown as { stack: RouteLayer[] }).stack;
  return stack
    .flatMap((layer) =>
      layer.route
        ? Object.keys(layer.route.methods)
            .filter((m) => m !== "_all")
            .map((m) => `${m.toUpperCase()} ${openApiPath(layer.route?.path ?? "")}`)
        : [],
    )
    .sort();
}

describe("the OpenAPI document", () => {
  let harness: Harness;
  let yaml: string;
  before(async () => {
    harness = await startHarness();
    yaml = await readFile(OPENAPI_FILE, "utf8");
  });
  after(() => harness.close());

  it("documents exactly the routes the router registers", () => {
    const documented = openApiOperations(yaml);
    const registered = registeredOperations(harness.logic.http);
    assert.ok(registered.length >= 20, `the router has its routes (${registered.length})`);
    assert.deepEqual(documented, registered);
  });

  it("has a companion, docs/goim-openapi.yaml, documenting exactly the goim listener's routes", async () => {
    const goimYaml = await readFile(resolve(import.meta.dirname, "../../../docs/goim-openapi.yaml"), "utf8");
    const documented = openApiOperations(goimYaml);
    assert.equal(documented.length, 7);
    assert.deepEqual(documented, registeredOperations(harness.logic.goimHttp));
    assert.match(goimYaml, /^openapi: 3\.1\.\d+$/m);
  });

  it("is OpenAPI 3.1 with the session and API key security schemes", () => {
    assert.match(yaml, /^openapi: 3\.1\.\d+$/m);
    for (const scheme of ["sessionBearer:", "sessionCookie:", "apiKeyBearer:", "apiKeyHeader:"]) {
      assert.ok(yaml.includes(`    ${scheme}`), scheme);
    }
  });

  it("is served at GET /api/openapi.yaml", async () => {
    const response = await fetch(`${harness.baseUrl}/api/openapi.yaml`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /yaml/);
    assert.equal(await response.text(), yaml);
  });

  it("is read by a parser that finds paths and methods only inside the paths section", () => {
    const sample = [
      "openapi: 3.1.0",
      "paths:",
      "  /a/{id}:",
      "    get:",
      "      summary: x",
      "    delete:",
      "  /b:",
      "    post:",
      "components:",
      "  /not-a-path:",
      "    get:",
    ].join("\n");
    assert.deepEqual(openApiOperations(sample), ["DELETE /a/{id}", "GET /a/{id}", "POST /b"]);
  });

  it("is not confused with an unknown route, which answers 404", async () => {
    const response = await request(harness, "GET", "/api/openapi.json");
    assert.equal(response.status, 404);
  });
});
