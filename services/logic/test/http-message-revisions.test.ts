import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ChatMessage, MessageKind, Op } from "@chatroom/proto/protocol";
import { type Account, errorCode, type Harness, register, request, startHarness } from "./harness.ts";

interface MessageJson {
  id: string;
  seq: number;
  senderId: number;
  text: string;
  kind?: "edit" | "delete";
  targetSeq?: number;
  editedAtMs?: number;
  deleted?: boolean;
}

interface EventJson {
  event: MessageJson;
  duplicate: boolean;
}

const WINDOW_MS = 60_000;

describe("HTTP message edits and deletes", () => {
  let harness: Harness;
  let clock = Date.now();
  let owner: Account;
  let ann: Account;
  let bob: Account;
  let outsider: Account;
  before(async () => {
    harness = await startHarness(
      { messageEditWindowMs: WINDOW_MS, sendRateCapacity: 100, sendRateRefillPerSecond: 0.001 },
      { now: () => clock },
    );
    owner = await register(harness, "owner");
    ann = await register(harness, "ann");
    bob = await register(harness, "bob");
    outsider = await register(harness, "outsider");
    await request(harness, "POST", "/api/v1/rooms", { token: owner.token, json: { id: "edits" } });
    await request(harness, "PUT", "/api/v1/rooms/edits/members/me", { token: ann.token });
    await request(harness, "PUT", "/api/v1/rooms/edits/members/me", { token: bob.token });
  });
  after(() => harness.close());

  const send = async (account: Account, text: string): Promise<MessageJson> => {
    const response = await request(harness, "POST", "/api/v1/rooms/edits/messages", {
      token: account.token,
      json: { text },
    });
    assert.equal(response.status, 201);
    return (response.body as { message: MessageJson }).message;
  };
  const edit = (account: Account, seq: number | string, json: unknown, room = "edits") =>
    request(harness, "PATCH", `/api/v1/rooms/${room}/messages/${seq}`, { token: account.token, json });
  const remove = (account: Account, seq: number | string) =>
    request(harness, "DELETE", `/api/v1/rooms/edits/messages/${seq}`, { token: account.token });
  const stored = async (seq: number): Promise<MessageJson | undefined> => {
    const page = await request(harness, "GET", "/api/v1/rooms/edits/messages?limit=200", { token: owner.token });
    return (page.body as { messages: MessageJson[] }).messages.find((m) => m.seq === seq);
  };

  it("stores an author's edit as an event with its own seq, publishes it and shows the latest text in history", async () => {
    const message = await send(ann, "helo");
    const response = await edit(ann, message.seq, { text: "hello", clientMsgId: "edit-1" });
    assert.equal(response.status, 201);
    const { event, duplicate } = response.body as EventJson;
    assert.equal(duplicate, false);
    assert.deepEqual(
      [event.kind, event.targetSeq, event.text, event.senderId, event.seq],
      ["edit", message.seq, "hello", ann.id, message.seq + 1],
    );
    const push = await harness.waitForPush((p) => p.id === event.id);
    assert.equal(push.operation, Op.MESSAGE);
    const pushed = ChatMessage.decode(push.msg);
    assert.deepEqual([pushed.kind, pushed.targetSeq], [MessageKind.MESSAGE_KIND_EDIT, message.seq]);
    const latest = await stored(message.seq);
    assert.equal(latest?.text, "hello");
    assert.equal(latest?.editedAtMs, clock);
    const retry = await edit(ann, message.seq, { text: "hello", clientMsgId: "edit-1" });
    assert.equal(retry.status, 200);
    assert.deepEqual((retry.body as EventJson).event, event);
  });

  it("refuses an edit by anyone but the author, and a plain member's delete of others' messages", async () => {
    const message = await send(ann, "mine");
    const byBob = await edit(bob, message.seq, { text: "his now" });
    assert.deepEqual([byBob.status, errorCode(byBob)], [403, "not_author"]);
    const byOwner = await edit(owner, message.seq, { text: "owner's words" });
    assert.deepEqual([byOwner.status, errorCode(byOwner)], [403, "not_author"]);
    const deleted = await remove(bob, message.seq);
    assert.deepEqual([deleted.status, errorCode(deleted)], [403, "insufficient_role"]);
    const outside = await edit(outsider, message.seq, { text: "hi" });
    assert.deepEqual([outside.status, errorCode(outside)], [403, "not_member"]);
    assert.equal((await stored(message.seq))?.text, "mine");
  });

  it("closes the author's window after CHATROOM_MESSAGE_EDIT_WINDOW_MS; an owner still deletes, leaving a tombstone", async () => {
    const message = await send(bob, "old news");
    clock += WINDOW_MS + 1;
    const late = await edit(bob, message.seq, { text: "new news" });
    assert.deepEqual([late.status, errorCode(late)], [403, "edit_window_closed"]);
    const lateDelete = await remove(bob, message.seq);
    assert.deepEqual([lateDelete.status, errorCode(lateDelete)], [403, "edit_window_closed"]);
    const byOwner = await remove(owner, message.seq);
    assert.equal(byOwner.status, 201);
    const { event } = byOwner.body as EventJson;
    assert.deepEqual([event.kind, event.targetSeq, event.text, event.senderId], ["delete", message.seq, "", owner.id]);
    const tombstone = await stored(message.seq);
    assert.deepEqual([tombstone?.text, tombstone?.deleted], ["", true]);
    const again = await remove(owner, message.seq);
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, { event, duplicate: true });
    const editDeleted = await edit(bob, message.seq, { text: "back" });
    assert.deepEqual([editDeleted.status, errorCode(editDeleted)], [409, "message_deleted"]);
  });

  it("answers bad input with 4xx and changes nothing", async () => {
    const message = await send(ann, "stable");
    const cases: Array<[Awaited<ReturnType<typeof edit>>, number, string]> = [
      [await edit(ann, "abc", { text: "x" }), 400, "bad_request"],
      [await edit(ann, 0, { text: "x" }), 400, "bad_request"],
      [await edit(ann, message.seq, {}), 400, "bad_request"],
      [await edit(ann, message.seq, { text: "   " }), 400, "invalid_text"],
      [await edit(ann, message.seq, { text: "x", clientMsgId: "has space" }), 400, "bad_request"],
      [await edit(ann, 9999, { text: "x" }), 404, "message_not_found"],
      [await edit(ann, message.seq, { text: "x" }, "no-such-room"), 404, "room_not_found"],
    ];
    for (const [response, status, code] of cases)
      assert.deepEqual([response.status, errorCode(response)], [status, code]);
    const editEvent = (await edit(ann, message.seq, { text: "stable, edited" })).body as EventJson;
    const ofEvent = await remove(owner, editEvent.event.seq);
    assert.deepEqual([ofEvent.status, errorCode(ofEvent)], [404, "message_not_found"]);
    assert.equal((await stored(message.seq))?.text, "stable, edited");
  });

  it("refuses an edit by a muted author with muted", async () => {
    const message = await send(bob, "before the mute");
    const muted = await request(harness, "PUT", `/api/v1/rooms/edits/mutes/${bob.id}`, {
      token: owner.token,
      json: { durationMs: 0 },
    });
    assert.equal(muted.status < 300, true);
    const refused = await edit(bob, message.seq, { text: "while muted" });
    assert.deepEqual([refused.status, errorCode(refused)], [403, "muted"]);
  });
});
