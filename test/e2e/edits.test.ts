import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { MessageDelete, MessageEdit } from "@chatroom/client";
import {
  DeleteReply,
  DeleteRequest,
  EditReply,
  EditRequest,
  ErrorReply,
  MessageKind,
  Op,
  SendReply,
  SendRequest,
} from "@chatroom/proto/protocol";
import { failureCode } from "../support/error-code.ts";
import { RawClient } from "../support/raw-client.ts";
import { cuttableSockets } from "./support/cuttable-sockets.ts";
import { type Fixture, register, startFixture, waitFor } from "./support/fixture.ts";

describe("editing and deleting messages (embedded, over WebSockets)", () => {
  let fixture: Fixture;
  before(async () => {
    fixture = await startFixture();
  });
  after(async () => {
    await fixture.close();
  });

  it("reaches every tab once and in order, live and on resume; history shows the latest text and tombstones", async () => {
    const alice = await register(fixture, "owner");
    const bob = await register(fixture, "author");
    const carol = await register(fixture, "reader");
    const room = `edits-${alice.memberId}`;
    await alice.http.createRoom(room);
    await bob.http.joinRoom(room);
    await carol.http.joinRoom(room);
    const sockets = cuttableSockets();
    const aliceTab = await alice.connect();
    const bobTab = await bob.connect();
    const carolTab = await carol.connect({ WebSocket: sockets.ctor });
    const edits: MessageEdit[] = [];
    const deletes: MessageDelete[] = [];
    const states: string[] = [];
    carolTab.client.on("edit", (edit) => edits.push(edit));
    carolTab.client.on("delete", (deletion) => deletes.push(deletion));
    carolTab.client.on("state", (change) => states.push(change.state));
    try {
      const typo = (await bobTab.client.send(room, "helo")).message?.seq ?? 0;
      const oops = (await bobTab.client.send(room, "oops")).message?.seq ?? 0;
      const third = (await bobTab.client.send(room, "third")).message?.seq ?? 0;
      await waitFor(() => carolTab.texts(room).length === 3, "carol to get the three messages");

      const edited = await bobTab.client.edit(room, typo, "hello");
      assert.deepEqual([edited.event?.targetSeq, edited.event?.text, edited.duplicate], [typo, "hello", false]);
      assert.equal(edited.event?.seq, third + 1);
      const deleted = await bobTab.client.delete(room, oops);
      assert.equal(deleted.event?.seq, third + 2);
      await waitFor(() => edits.length === 1 && deletes.length === 1, "carol to see the edit and the delete live");
      assert.deepEqual(
        [edits[0]?.targetSeq, edits[0]?.text, edits[0]?.memberId, deletes[0]?.targetSeq, deletes[0]?.memberId],
        [typo, "hello", bob.memberId, oops, bob.memberId],
      );
      assert.equal(carolTab.texts(room).length, 3, "edit and delete events are not messages");

      // Carol drops off; the owner deletes a message and bob edits again while she is away.
      sockets.state.blocked = true;
      sockets.cut();
      await waitFor(() => states.includes("reconnecting"), "carol to notice the drop");
      await aliceTab.client.delete(room, third);
      await bobTab.client.edit(room, typo, "hello!");
      // Repeats change nothing: a second delete is the first one, and a retried edit is stored once.
      const again = await aliceTab.client.delete(room, oops);
      assert.deepEqual([again.duplicate, again.event?.seq], [true, deleted.event?.seq]);
      sockets.state.blocked = false;
      await bobTab.client.send(room, "sentinel");
      await waitFor(() => carolTab.texts(room).includes("sentinel"), "carol to resume up to the sentinel");
      assert.deepEqual(
        edits.map((e) => [e.targetSeq, e.text]),
        [
          [typo, "hello"],
          [typo, "hello!"],
        ],
      );
      assert.deepEqual(
        deletes.map((d) => [d.targetSeq, d.memberId]),
        [
          [oops, bob.memberId],
          [third, alice.memberId],
        ],
      );

      const page = await carolTab.client.history(room);
      const bySeq = new Map(page.messages.map((m) => [m.seq, m]));
      assert.equal(bySeq.get(typo)?.text, "hello!");
      assert.ok((bySeq.get(typo)?.editedAtMs ?? 0) > 0);
      assert.deepEqual([bySeq.get(oops)?.text, bySeq.get(oops)?.deleted], ["", true]);
      assert.deepEqual([bySeq.get(third)?.text, bySeq.get(third)?.deleted], ["", true]);
      // The log holds the events too, in seq order after their messages.
      assert.deepEqual(
        page.messages.map((m) => m.seq),
        page.messages.map((_, i) => i + 1),
      );

      // A new device replaying the whole room gets each change once more at most, ending in the same state.
      const fresh = await carol.connect({ resumeFrom: "beginning" });
      const freshDeletes: MessageDelete[] = [];
      fresh.client.on("delete", (deletion) => freshDeletes.push(deletion));
      await waitFor(() => fresh.texts(room).includes("sentinel"), "the new device to replay the room");
      const replayed = new Map(fresh.messages.filter((m) => m.roomId === room).map((m) => [m.seq, m]));
      assert.deepEqual([replayed.get(oops)?.deleted, replayed.get(third)?.deleted], [true, true]);
      assert.equal(replayed.get(typo)?.text, "hello!");
      assert.deepEqual(freshDeletes, [], "the replayed tombstones already say it: no delete news");
      await fresh.client.close();
    } finally {
      await Promise.all([aliceTab.client.close(), bobTab.client.close(), carolTab.client.close()]);
    }
  });

  it("refuses edits by others, plain members' deletes of others' messages, edits of deleted messages; moderators delete any", async () => {
    const alice = await register(fixture, "owner");
    const bob = await register(fixture, "author");
    const dan = await register(fixture, "mod");
    const room = `rules-${alice.memberId}`;
    await alice.http.createRoom(room);
    await bob.http.joinRoom(room);
    await dan.http.joinRoom(room);
    const aliceTab = await alice.connect();
    const bobTab = await bob.connect();
    const danTab = await dan.connect();
    try {
      const seq = (await bobTab.client.send(room, "bob's words")).message?.seq ?? 0;
      assert.equal(await failureCode(danTab.client.edit(room, seq, "dan's words")), "not_author");
      assert.equal(await failureCode(aliceTab.client.edit(room, seq, "owner's words")), "not_author");
      assert.equal(await failureCode(danTab.client.delete(room, seq)), "insufficient_role");
      assert.equal(await failureCode(bobTab.client.edit(room, seq, "  ")), "invalid_text");
      assert.equal(await failureCode(bobTab.client.edit(room, 999, "nothing there")), "message_not_found");

      await aliceTab.client.setRole(room, dan.memberId, 2);
      await waitFor(() => danTab.client.rooms.get(room)?.role === 2, "dan to be a moderator");
      const byMod = await danTab.client.delete(room, seq);
      assert.equal(byMod.event?.senderId, dan.memberId);
      assert.equal(await failureCode(bobTab.client.edit(room, seq, "undo")), "message_deleted");
      assert.equal(await failureCode(bobTab.client.delete(room, byMod.event?.seq ?? 0)), "message_not_found");

      const history = await bob.http.history(room);
      const tombstone = history.messages.find((m) => m.seq === seq);
      assert.deepEqual([tombstone?.text, tombstone?.deleted], ["", true]);
    } finally {
      await Promise.all([aliceTab.client.close(), bobTab.client.close(), danTab.client.close()]);
    }
  });
});

describe("bad edit and delete requests (embedded)", () => {
  let fixture: Fixture;
  before(async () => {
    fixture = await startFixture();
  });
  after(async () => {
    await fixture.close();
  });

  it("answers a malformed OP_EDIT or OP_DELETE body with a bad_request error frame and keeps serving", async () => {
    const ann = await register(fixture, "strict");
    const { client } = await RawClient.login(fixture.wsUrl, ann.token);
    try {
      const sent = SendReply.decode(
        (
          await client.reply(
            client.send(
              Op.SEND,
              SendRequest.encode({ roomId: "lobby", toMemberId: 0, clientMsgId: "s1", text: "fine" }).finish(),
            ),
          )
        ).body,
      );
      const seq = sent.message?.seq ?? 0;
      // Field 2 (seq) as a length-delimited field: the wrong wire type.
      const garbage = Uint8Array.from([0x12, 0x01, 0x41]);
      for (const op of [Op.EDIT, Op.DELETE]) {
        const refused = await client.reply(client.send(op, garbage));
        assert.equal(refused.op, Op.ERROR);
        assert.equal(ErrorReply.decode(refused.body).code, "bad_request");
      }
      const edited = await client.reply(
        client.send(
          Op.EDIT,
          EditRequest.encode({ roomId: "lobby", seq, text: "still fine", clientMsgId: "e1" }).finish(),
        ),
      );
      assert.equal(edited.op, Op.EDIT_REPLY);
      assert.equal(EditReply.decode(edited.body).event?.targetSeq, seq);
      const deleted = await client.reply(
        client.send(Op.DELETE, DeleteRequest.encode({ roomId: "lobby", seq, clientMsgId: "d1" }).finish()),
      );
      assert.equal(deleted.op, Op.DELETE_REPLY);
      assert.equal(DeleteReply.decode(deleted.body).event?.kind, MessageKind.MESSAGE_KIND_DELETE);
    } finally {
      client.close();
    }
  });
});

describe("the edit window (embedded)", () => {
  let fixture: Fixture;
  before(async () => {
    fixture = await startFixture({ CHATROOM_MESSAGE_EDIT_WINDOW_MS: "1" });
  });
  after(async () => {
    await fixture.close();
  });

  it("closes for the author after CHATROOM_MESSAGE_EDIT_WINDOW_MS; the owner still deletes", async () => {
    const alice = await register(fixture, "owner");
    const bob = await register(fixture, "author");
    const room = `window-${alice.memberId}`;
    await alice.http.createRoom(room);
    await bob.http.joinRoom(room);
    const aliceTab = await alice.connect();
    const bobTab = await bob.connect();
    try {
      const message = (await bobTab.client.send(room, "too late to change")).message;
      const seq = message?.seq ?? 0;
      await waitFor(() => Date.now() > (message?.sentAtMs ?? 0) + 5, "the 1 ms window to pass");
      assert.equal(await failureCode(bobTab.client.edit(room, seq, "changed")), "edit_window_closed");
      assert.equal(await failureCode(bobTab.client.delete(room, seq)), "edit_window_closed");
      const byOwner = await aliceTab.client.delete(room, seq);
      assert.equal(byOwner.duplicate, false);
    } finally {
      await Promise.all([aliceTab.client.close(), bobTab.client.close()]);
    }
  });
});
