// goim compatibility is opt-in: with the defaults, nothing of it is reachable and chatroom behaves as without it.
import assert from "node:assert/strict";
import { once } from "node:events";
import type { IncomingMessage } from "node:http";
import { after, before, describe, it } from "node:test";
import { WebSocket } from "ws";
import { type Fixture, startFixture } from "../e2e/support/fixture.ts";
import { GoimBackend } from "./support/goim-backend.ts";
import { GoimClient } from "./support/goim-client.ts";

describe("goim compatibility, off (the default)", () => {
  let fixture: Fixture;
  before(async () => {
    fixture = await startFixture();
  });
  after(() => fixture.close());

  it("starts no goim listener and answers an upgrade to /sub with 404", async () => {
    assert.deepEqual(fixture.app.goim, {});
    const ws = new WebSocket(fixture.wsUrl.replace(/\/ws$/, "/sub"));
    ws.on("error", () => {});
    const [, response] = (await once(ws, "unexpected-response")) as [unknown, IncomingMessage];
    assert.equal(response.statusCode, 404);
    ws.terminate();
  });

  it("closes goim's JSON auth on /ws with 1002: chatroom's AUTH body is protobuf", async () => {
    const client = GoimClient.open(fixture.wsUrl, { mid: 123, room_id: "live://1000", accepts: [1000] });
    assert.equal((await client.closed).code, 1002);
  });

  it("keeps /goim/* in chatroom's mode: real statuses, chatroom's error body, an API key required", async () => {
    const backend = new GoimBackend(fixture.app.url);
    const anonymous = await backend.raw("POST", "/goim/push/room?operation=1000&type=live&room=1000");
    assert.equal(anonymous.status, 401);
    assert.equal((anonymous.body as unknown as { error: { code: string } }).error.code, "unauthorized");
    const response = await fetch(`${fixture.app.url}/goim/online/top?type=live&limit=5`);
    assert.equal(response.status, 401);
  });
});
