import { existsSync } from "node:fs";
import { join } from "node:path";
import { webClientHeaders, webRoot } from "@chatroom/web/server-paths";
import express, { type Express } from "express";

/** Serves the bundled web chat client (packages/web/public) at /, with its Content-Security-Policy and friends. */
export function serveWebClient(app: Express): void {
  if (!existsSync(join(webRoot, "app.js"))) {
    console.warn(`web client bundle missing in ${webRoot}: run \`npm run build:web\` (npm start does it)`);
  }
  app.use((req, res, next) => {
    res.set(webClientHeaders(req.get("host")));
    next();
  });
  app.use(express.static(webRoot, { index: "index.html", maxAge: 0 }));
}
