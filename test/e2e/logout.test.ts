import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ChatHttp } from "@chatroom/client";
import { Op, SendRequest } from "@chatroom/proto/protocol";
import { RawClient } from "../support/raw-client.ts";
import { type Fixture, register, startFixture, waitFor } from "./support/fixture.ts";

// Real heartbeat settings: the comet's own heartbeat check (once per 30 s) must not be what closes the sockets.
const REAL_HEARTBEATS = { CHATROOM_HEARTBEAT_INTERVAL_MS: "30000", CHATROOM_PRESENCE_TTL_MS: "90000" };

describe("logout (embedded)", () => {
  let fixture: Fixture;
  before(async () => {
    fixture = await startFixture(REAL_HEARTBEATS);
  });
  after(async () => {
    await fixture.close();
  });

  it("closes every socket of that session with 4010 within 1 s, heartbeats or not; other sessions stay", async () => {
    const person = await register(fixture, "logout");
    const laptop = new ChatHttp({ baseUrl: fixture.app.url });
    const laptopSession = await laptop.login(person.name, "correct horse battery");
    const tab = await person.connect();
    const silent = await RawClient.login(fixture.wsUrl, person.token); // never sends a heartbeat
    const other = await RawClient.login(fixture.wsUrl, laptopSession.token);

    const started = Date.now();
    await person.http.logout();
    const closed = await silent.client.closed;
    const silentMs = Date.now() - started;
    await waitFor(() => tab.client.state === "closed", "the SDK tab to be closed");
    const tabMs = Date.now() - started;
    assert.equal(closed.code, 4010);
    assert.equal(tab.client.closeCode, 4010);
    assert.ok(silentMs <= 1000 && tabMs <= 1000, `closed after ${silentMs} ms and ${tabMs} ms`);

    // The member's other session keeps its socket and may still send.
    const seq = other.client.send(
      Op.SEND,
      SendRequest.encode({ roomId: "lobby", toMemberId: 0, clientMsgId: "after-logout", text: "still here" }).finish(),
    );
    assert.equal((await other.client.reply(seq)).op, Op.SEND_REPLY);
    other.client.close();
  });
});
