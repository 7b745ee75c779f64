import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * What a server of the web client needs (the all-in-one, the local cluster's load balancer): where its files are
 * and the headers they go with. The Helm chart's nginx sets the same headers.
 */

/** Absolute path of the static files of the web client (index.html, styles.css, app.js after the build). */
export const webRoot: string = join(dirname(fileURLToPath(import.meta.url)), "public");

/**
 * The response headers of the web client's static files. The page loads only its own script and
 * stylesheet (no inline script or style: the bundle changes styles through the CSSOM only, which CSP allows), talks
 * only to its own origin over HTTP and WebSocket, and may not be framed.
 */
export function webClientHeaders(host: string | undefined): Record<string, string> {
  return {
    "Content-Security-Policy": webClientCsp(host),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
  };
}

/** A Host header that can be written into the policy as is: a name or an address, with an optional port. */
const PLAIN_HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * 'self' covers the page's WebSocket in current browsers (CSP level 3); ws:// and wss:// of the Host are added for
 * the ones that predate it. A Host header that is not a plain host:port is left out rather than echoed.
 */
export function webClientCsp(host: string | undefined): string {
  const sockets = host !== undefined && PLAIN_HOST.test(host) ? ` ws://${host} wss://${host}` : "";
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    // The page's icon is the empty data: URL (no favicon request).
    "img-src 'self' data:",
    `connect-src 'self'${sockets}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
    "form-action 'self'",
  ].join("; ");
}
