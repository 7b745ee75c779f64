import { readFile } from "node:fs/promises";
import type { Route } from "./route.ts";

/** docs/openapi.yaml at the repository root, found from this file (no build step moves it). */
export const OPENAPI_FILE = new URL("../../../../docs/openapi.yaml", import.meta.url);

export function openApiRoute(): Route {
  let document: Promise<string> | undefined;
  return {
    method: "get",
    path: "/api/openapi.yaml",
    auth: "none",
    async handle(_req, res) {
      document ??= readFile(OPENAPI_FILE, "utf8");
      res.type("application/yaml").send(await document);
    },
  };
}
