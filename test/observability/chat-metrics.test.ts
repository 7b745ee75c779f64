import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Chatroom, startChatroom } from "@chatroom/all-in-one";
import { ApiError, ChatClient, ChatClientError, ChatHttp, type ChatMessage } from "@chatroom/client";
import { waitFor } from "@chatroom/core/testing";
import { type Metrics, scrape, scrapeUntil } from "./support/scrape.ts";

const ENV = {
  CHATROOM_ADMIN_PORT: "0",
  CHATROOM_LOG_LEVEL: "silent",
  CHATROOM_HEARTBEAT_INTERVAL_MS: "1000",
  CHATROOM_PRESENCE_TTL_MS: "5000",
  CHATROOM_COMET_RENEW_ONLINE_INTERVAL_MS: "200",
  // A small burst, so that the test can run into the send rate limit on purpose.
  CHATROOM_SEND_RATE_CAPACITY: "6",
  CHATROOM_SEND_RATE_REFILL_PER_SECOND: "0.1",
};

let counter = 0;
const uniqueName = (prefix: string) => `${prefix}${process.pid}x${++counter}`;

describe("the all-in-one's metrics during a chat", () => {
  let app: Chatroom;
  let dataDir: string;
  let before_: Metrics;
  const clients: ChatClient[] = [];

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "chatroom-metrics-"));
    app = await startChatroom({ env: ENV, port: 0, host: "127.0.0.1", dataDir });
    before_ = await scrape(app.adminUrl);
  });
  after(async () => {
    for (const client of clients) await client.close();
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function person(prefix: string): Promise<{ http: ChatHttp; client: ChatClient; messages: ChatMessage[] }> {
    const http = new ChatHttp({ baseUrl: app.url });
    const { token } = await http.register(uniqueName(prefix), "correct horse battery");
    const client = new ChatClient({
      url: `${app.url.replace(/^http/, "ws")}/ws`,
      token,
      reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
    });
    const messages: ChatMessage[] = [];
    client.on("message", (m) => messages.push(m));
    clients.push(client);
    await client.connect();
    return { http, client, messages };
  }

  it("serves Prometheus text with the default process metrics on the admin port", async () => {
    const response = await fetch(`${app.adminUrl}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    assert.match(text, /^process_cpu_user_seconds_total \d/m);
    assert.match(text, /^nodejs_heap_size_used_bytes \d/m);
    assert.match(text, /^chatroom_job_comets 1$/m, "the in-process comet is known to job");
  });

  it("moves the comet, logic and job metrics when two members chat", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    await alice.client.send("lobby", "hello bob");
    await bob.http.sendMessage("lobby", "hi alice over HTTP");
    const seen = (list: ChatMessage[]) => list.filter((m) => /hello bob|hi alice/.test(m.text)).length;
    await waitFor(() => seen(alice.messages) >= 2 && seen(bob.messages) >= 2, "both messages at both members");
    // Heartbeats: the SDK sends one per interval (1 s here).
    const after = await scrapeUntil(
      app.adminUrl,
      (m) => m.sum("chatroom_comet_heartbeats_total") > before_.sum("chatroom_comet_heartbeats_total"),
      "a heartbeat",
    );
    const moved = (name: string, labels: Record<string, string> = {}) =>
      after.sum(name, labels) - before_.sum(name, labels);

    // comet
    assert.ok(after.sum("chatroom_comet_connections") >= 2, "connections gauge");
    assert.ok(after.sum("chatroom_comet_rooms") >= 1, "rooms gauge");
    assert.ok(moved("chatroom_comet_connects_total") >= 2);
    assert.ok(moved("chatroom_comet_frames_received_total", { op: "AUTH" }) >= 2);
    assert.ok(moved("chatroom_comet_frames_received_total", { op: "SEND" }) >= 1);
    assert.ok(moved("chatroom_comet_received_bytes_total", { op: "SEND" }) > 0);
    assert.ok(moved("chatroom_comet_frames_sent_total", { op: "AUTH_REPLY" }) >= 2);
    assert.ok(moved("chatroom_comet_frames_sent_total", { op: "SEND_REPLY" }) >= 1);
    assert.ok(moved("chatroom_comet_sent_bytes_total") > 0);
    assert.ok(moved("chatroom_comet_pushes_received_total", { method: "broadcast_room" }) >= 1);
    assert.ok(moved("chatroom_comet_deliveries_total") >= 4, "two messages to two connections");
    assert.ok(moved("chatroom_comet_delivery_latency_seconds_count") >= 2, "latency observed per message");
    assert.ok(after.sum("chatroom_comet_delivery_latency_seconds_sum") >= 0);
    assert.ok(moved("chatroom_comet_heartbeats_total") >= 1);
    // logic
    assert.ok(moved("chatroom_logic_sends_accepted_total", { duplicate: "false" }) >= 2);
    assert.ok(
      moved("chatroom_logic_http_request_duration_seconds_count", {
        method: "POST",
        route: "/api/v1/rooms/:roomId/messages",
        status: "201",
      }) >= 1,
      "HTTP send by route template",
    );
    assert.ok(moved("chatroom_logic_grpc_request_duration_seconds_count", { method: "connect", code: "ok" }) >= 2);
    assert.ok(moved("chatroom_logic_grpc_request_duration_seconds_count", { method: "receive", code: "ok" }) >= 1);
    assert.ok(
      moved("chatroom_logic_store_duration_seconds_count", { store: "messages", operation: "append", outcome: "ok" }) >=
        2,
    );
    assert.ok(moved("chatroom_logic_bus_publish_duration_seconds_count", { type: "room", outcome: "ok" }) >= 2);
    // job
    assert.ok(moved("chatroom_job_messages_consumed_total", { type: "room" }) >= 2);
    assert.ok(moved("chatroom_job_batch_size_count") >= 1);
    assert.ok(moved("chatroom_job_batch_wait_seconds_count") >= 2);
    assert.ok(
      moved("chatroom_job_comet_push_duration_seconds_count", { comet: app.comet.id, method: "broadcast_room" }) >= 1,
    );
    assert.equal(after.sum("chatroom_job_comets"), 1);
  });

  it("counts refused sends by reason and rate-limit hits by rule", async () => {
    const carol = await person("carol");
    const start = await scrape(app.adminUrl);
    let limited = 0;
    for (let i = 0; i < 10 && limited === 0; i++) {
      try {
        await carol.http.sendMessage("lobby", `burst ${i}`);
      } catch (error) {
        assert.ok(error instanceof ApiError && error.code === "rate_limited", String(error));
        limited++;
      }
    }
    await assert.rejects(carol.client.send("lobby", "   "), (error) => error instanceof ChatClientError);
    const end = await scrape(app.adminUrl);
    const moved = (name: string, labels: Record<string, string>) => end.sum(name, labels) - start.sum(name, labels);
    assert.equal(limited, 1);
    assert.equal(moved("chatroom_logic_sends_rejected_total", { reason: "rate_limited" }), 1);
    assert.equal(moved("chatroom_logic_rate_limited_total", { rule: "send" }), 1);
    assert.equal(moved("chatroom_logic_sends_rejected_total", { reason: "invalid_text" }), 1);
    assert.equal(
      moved("chatroom_logic_http_request_duration_seconds_count", {
        route: "/api/v1/rooms/:roomId/messages",
        status: "429",
      }),
      1,
    );
  });

  it("counts a refused token as an auth failure and its close by reason", async () => {
    const start = await scrape(app.adminUrl);
    // A refused token (4001) ends the SDK's reconnecting for good.
    const intruder = new ChatClient({ url: `${app.url.replace(/^http/, "ws")}/ws`, token: "forged" });
    await assert.rejects(intruder.connect());
    await intruder.close();
    const end = await scrapeUntil(
      app.adminUrl,
      (m) =>
        m.sum("chatroom_comet_disconnects_total", { reason: "unauthorized" }) >
        start.sum("chatroom_comet_disconnects_total", { reason: "unauthorized" }),
      "the refused connection's close",
    );
    assert.equal(
      end.sum("chatroom_comet_auth_failures_total", { reason: "unauthorized" }) -
        start.sum("chatroom_comet_auth_failures_total", { reason: "unauthorized" }),
      1,
    );
  });

  it("labels unknown API paths as unmatched and echoes or assigns request ids", async () => {
    const echoed = await fetch(`${app.url}/api/v1/no/such/path/42`, { headers: { "x-request-id": "trace-abc.123" } });
    assert.equal(echoed.status, 404);
    assert.equal(echoed.headers.get("x-request-id"), "trace-abc.123");
    const assigned = await fetch(`${app.url}/api/v1/rooms`, { headers: { "x-request-id": "bad id with spaces" } });
    assert.match(assigned.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
    const metrics = await scrape(app.adminUrl);
    assert.ok(metrics.has("chatroom_logic_http_request_duration_seconds_count", { route: "unmatched", status: "404" }));
    const routes = metrics.labelValues("chatroom_logic_http_request_duration_seconds_count", "route");
    assert.ok(
      routes.every((route) => route === "unmatched" || route.startsWith("/")),
      `route templates only: ${routes}`,
    );
    assert.ok(!routes.some((route) => route.includes("42")), "no raw path becomes a label");
  });

  it("answers liveness and readiness, and readiness turns false while the comet drains", async () => {
    const health = await fetch(`${app.adminUrl}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: "ok" });
    const ready = await fetch(`${app.adminUrl}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: "ok", checks: { store: "ok", draining: "ok" } });

    await app.comet.drain();
    const draining = await fetch(`${app.adminUrl}/readyz`);
    assert.equal(draining.status, 503);
    const body = (await draining.json()) as { status: string; failing: string[]; checks: Record<string, string> };
    assert.equal(body.status, "unavailable");
    assert.deepEqual(body.failing, ["draining"]);
    assert.equal(body.checks.store, "ok");
    assert.equal((await fetch(`${app.adminUrl}/healthz`)).status, 200, "still alive while draining");
    const closed = await scrape(app.adminUrl);
    assert.ok(closed.sum("chatroom_comet_disconnects_total", { reason: "service_restart" }) >= 1);
    assert.equal(closed.sum("chatroom_comet_connections"), 0);
  });
});
