import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of the static files of the web client (index.html, styles.css, app.js after the build). */
export const webRoot: string = join(dirname(fileURLToPath(import.meta.url)), "public");
