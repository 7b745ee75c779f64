import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { webRoot } from "@chatroom/web/server-paths";
import { type Fixture, startFixture, username } from "./support/fixture.ts";

const PASSWORD = "correct horse battery";

function registerAs(fixture: Fixture, headers: Record<string, string>): Promise<Response> {
  return fetch(`${fixture.app.url}/api/v1/accounts`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ username: username("sec"), password: PASSWORD }),
  });
}

/** The value of one CSP directive ("connect-src" → "'self' ws://…"), or undefined. */
function directive(policy: string, name: string): string | undefined {
  for (const part of policy.split(";")) {
    const [key, ...values] = part.trim().split(/\s+/);
    if (key === name) return values.join(" ");
  }
  return undefined;
}

describe("the web page's security headers", () => {
  let fixture: Fixture;
  before(async () => {
    fixture = await startFixture();
  });
  after(() => fixture.close());

  it("serve the page and its files with a strict Content-Security-Policy, nosniff, no referrer and no framing", async () => {
    const host = new URL(fixture.app.url).host;
    for (const path of ["/", "/index.html", "/app.js", "/styles.css"]) {
      const response = await fetch(`${fixture.app.url}${path}`);
      assert.equal(response.status, 200, path);
      const policy = response.headers.get("content-security-policy") ?? "";
      assert.equal(directive(policy, "default-src"), "'self'", path);
      assert.equal(directive(policy, "script-src"), "'self'", path);
      assert.equal(directive(policy, "style-src"), "'self'", path);
      assert.equal(directive(policy, "connect-src"), `'self' ws://${host} wss://${host}`, path);
      assert.equal(directive(policy, "frame-ancestors"), "'none'", path);
      assert.equal(directive(policy, "base-uri"), "'none'", path);
      assert.equal(directive(policy, "object-src"), "'none'", path);
      assert.equal(directive(policy, "form-action"), "'self'", path);
      assert.equal(response.headers.get("x-content-type-options"), "nosniff", path);
      assert.equal(response.headers.get("referrer-policy"), "no-referrer", path);
      assert.equal(response.headers.get("x-frame-options"), "DENY", path);
      await response.arrayBuffer();
    }
  });

  it("does not echo a Host header that is not a plain host into the policy", async () => {
    const policy = await new Promise<string>((resolve, reject) => {
      const url = new URL(fixture.app.url);
      const outgoing = request(
        { host: url.hostname, port: url.port, path: "/", headers: { host: "evil.example; script-src *" } },
        (response) => {
          response.resume();
          resolve(String(response.headers["content-security-policy"] ?? ""));
        },
      );
      outgoing.on("error", reject);
      outgoing.end();
    });
    assert.equal(directive(policy, "connect-src"), "'self'");
    assert.equal(directive(policy, "script-src"), "'self'");
  });

  it("fits the page: no inline script, inline style or event handler attribute that the policy would block", () => {
    const html = readFileSync(join(webRoot, "index.html"), "utf8");
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, "every script has a src");
    assert.doesNotMatch(html, /<style[\s>]/i);
    assert.doesNotMatch(html, /\sstyle\s*=/i);
    assert.doesNotMatch(html, /\son[a-z]+\s*=/i);
    const bundle = readFileSync(join(webRoot, "app.js"), "utf8");
    assert.doesNotMatch(bundle, /\beval\(|new Function\(/, "the bundle evaluates no strings");
  });
});

/** Two servers: one as started by default, one told that its loopback peers are proxies. */
function directAndProxied(env: Record<string, string>): { direct(): Fixture; proxied(): Fixture } {
  let direct: Fixture;
  let proxied: Fixture;
  before(async () => {
    direct = await startFixture(env);
    proxied = await startFixture({ ...env, CHATROOM_TRUST_PROXY: "loopback" });
  });
  after(async () => {
    await direct.close();
    await proxied.close();
  });
  return { direct: () => direct, proxied: () => proxied };
}

describe("X-Forwarded-For and the per-address throttles", () => {
  const servers = directAndProxied({
    CHATROOM_REGISTER_RATE_CAPACITY: "2",
    CHATROOM_REGISTER_RATE_REFILL_PER_SECOND: "0.001",
  });
  const statusesFrom = async (fixture: Fixture) => {
    const statuses = [];
    for (const address of ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) {
      statuses.push((await registerAs(fixture, { "x-forwarded-for": address })).status);
    }
    return statuses;
  };

  it("by default believes no X-Forwarded-For, even from loopback: forged addresses share the peer's budget", async () => {
    assert.deepEqual(await statusesFrom(servers.direct()), [201, 201, 429]);
  });

  it("believes a proxy named in CHATROOM_TRUST_PROXY: each forwarded client has its own budget", async () => {
    assert.deepEqual(await statusesFrom(servers.proxied()), [201, 201, 201]);
  });
});

describe("the Secure session cookie (CHATROOM_COOKIE_SECURE=auto)", () => {
  const servers = directAndProxied({});
  const secure = (response: Response) => /;\s*Secure(;|$)/.test(response.headers.get("set-cookie") ?? "");

  it("is Secure for X-Forwarded-Proto https from a trusted proxy", async () => {
    const response = await registerAs(servers.proxied(), { "x-forwarded-proto": "https" });
    assert.equal(response.status, 201);
    assert.equal(secure(response), true);
  });

  it("is not Secure over plain HTTP, nor when an untrusted peer claims https", async () => {
    const plain = await registerAs(servers.proxied(), {});
    assert.equal(plain.status, 201);
    assert.equal(secure(plain), false);
    const claimed = await registerAs(servers.direct(), { "x-forwarded-proto": "https" });
    assert.equal(claimed.status, 201);
    assert.equal(secure(claimed), false);
  });
});
