/**
 * Bundles the web chat client: src/main.ts → public/app.js (ESM, minified, with a source map).
 * Run with `node packages/web/build.ts`; safe to run repeatedly (same input, same output).
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));

export async function buildWebClient(): Promise<{ outfile: string }> {
  const outfile = join(here, "public", "app.js");
  await build({
    entryPoints: [join(here, "src", "main.ts")],
    outfile,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: ["es2022", "chrome110", "firefox115", "safari16"],
    minify: true,
    sourcemap: true,
    legalComments: "none",
    logLevel: "warning",
  });
  return { outfile };
}

if (import.meta.main) {
  const { outfile } = await buildWebClient();
  console.log(`web client bundled to ${outfile}`);
}
