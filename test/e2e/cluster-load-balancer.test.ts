import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { webRoot } from "@chatroom/web/server-paths";
import { type LoadBalancer, startLoadBalancer } from "../../scripts/cluster/load-balancer.ts";

/**
 * The local cluster's load balancer (scripts/cluster) in front of a stand-in logic that answers with the headers it
 * got: the logics trust it (CHATROOM_TRUST_PROXY=loopback), so it must not pass on what clients claim.
 */
describe("the cluster's load balancer", () => {
  let upstream: Server;
  let balancer: LoadBalancer;
  before(async () => {
    upstream = createServer((request, response) => {
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify(request.headers));
    });
    upstream.listen(0, "127.0.0.1");
    await once(upstream, "listening");
    const { port } = upstream.address() as AddressInfo;
    balancer = await startLoadBalancer({
      host: "127.0.0.1",
      port: 0,
      logics: () => [`127.0.0.1:${port}`],
      comets: () => [],
      webRoot,
    });
  });
  after(async () => {
    await balancer.close();
    upstream.closeAllConnections();
    upstream.close();
  });

  it("replaces the client's X-Forwarded-For and X-Forwarded-Proto and drops X-Forwarded-Host", async () => {
    const response = await fetch(`${balancer.url}/api/v1/me`, {
      headers: {
        "x-forwarded-for": "203.0.113.9",
        "x-forwarded-proto": "https",
        "x-forwarded-host": "evil.example",
        origin: "http://elsewhere.example",
      },
    });
    const seen = (await response.json()) as IncomingHttpHeaders;
    assert.equal(seen["x-forwarded-for"], "127.0.0.1");
    assert.equal(seen["x-forwarded-proto"], "http");
    assert.equal(seen["x-forwarded-host"], undefined);
    assert.equal(seen.host, new URL(balancer.url).host, "Host is kept, so logic can compare Origin with it");
    assert.equal(seen.origin, "http://elsewhere.example");
  });

  it("serves the web client with its Content-Security-Policy and the other security headers", async () => {
    const response = await fetch(`${balancer.url}/`);
    await response.text();
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-security-policy") ?? "", /default-src 'self'.*frame-ancestors 'none'/);
    assert.equal(response.headers.get("x-content-type-options"), "nosniff");
    assert.equal(response.headers.get("referrer-policy"), "no-referrer");
    assert.equal(response.headers.get("x-frame-options"), "DENY");
  });
});
