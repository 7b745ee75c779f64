import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isChatError } from "../errors.ts";
import type { Stores } from "../store/stores.ts";
import { type ContractFactory, withSubject } from "./contract-subject.ts";
import { newMessage, newRevision, seedMember, seedRoom } from "./store-fixtures.ts";

const failsWith = (code: string) => (error: unknown) => isChatError(error) && error.code === code;

/** MessageStore's contract for edit and delete events (see "Revisions" in message-store.ts). */
export function messageStoreRevisionCases(factory: ContractFactory<Stores>): void {
  describe("message edits and deletes", () => {
    it("stores an edit as an event with the next seq and updates the message's text and editedAtMs", async () => {
      await withSubject(factory, async (stores) => {
        const ann = await seedMember(stores, "ann");
        await seedRoom(stores, "lobby");
        const original = await stores.messages.append(newMessage(ann, "lobby", "helo"));
        await stores.messages.append(newMessage(ann, "lobby", "second"));
        const edit = newRevision(ann, "lobby", 1, "edit", "hello");
        const { message: event, duplicate } = await stores.messages.append(edit);
        assert.equal(duplicate, false);
        assert.deepEqual(event, { ...edit, seq: 3 });
        const page = await stores.messages.after("lobby", 0, 10);
        assert.deepEqual(
          page.map((m) => [m.seq, m.kind ?? "message", m.text]),
          [
            [1, "message", "hello"],
            [2, "message", "second"],
            [3, "edit", "hello"],
          ],
        );
        assert.deepEqual(page[0], { ...original.message, text: "hello", editedAtMs: edit.sentAtMs, revisedSeq: 3 });
        assert.deepEqual(await stores.messages.bySeq("lobby", 3), { ...edit, seq: 3 });
        assert.equal(await stores.messages.bySeq("lobby", 9), null);
        assert.equal(await stores.messages.lastSeq("lobby"), 3);
      });
    });

    it("stores a delete as an event and leaves a tombstone; a second delete is a duplicate of the first", async () => {
      await withSubject(factory, async (stores) => {
        const ann = await seedMember(stores, "ann");
        const mod = await seedMember(stores, "mod");
        await seedRoom(stores, "lobby");
        const original = await stores.messages.append(newMessage(ann, "lobby", "oops"));
        const first = await stores.messages.append(newRevision(mod, "lobby", 1, "delete"));
        assert.deepEqual([first.message.seq, first.message.kind, first.message.targetSeq], [2, "delete", 1]);
        assert.deepEqual(await stores.messages.bySeq("lobby", 1), {
          ...original.message,
          text: "",
          deleted: true,
          revisedSeq: 2,
        });
        const again = await stores.messages.append(newRevision(ann, "lobby", 1, "delete"));
        assert.equal(again.duplicate, true);
        assert.deepEqual(again.message, first.message);
        assert.equal(await stores.messages.lastSeq("lobby"), 2);
      });
    });

    it("refuses an edit of a deleted message with message_deleted and stores nothing", async () => {
      await withSubject(factory, async (stores) => {
        const ann = await seedMember(stores, "ann");
        await seedRoom(stores, "lobby");
        await stores.messages.append(newMessage(ann, "lobby", "gone soon"));
        await stores.messages.append(newRevision(ann, "lobby", 1, "delete"));
        await assert.rejects(
          stores.messages.append(newRevision(ann, "lobby", 1, "edit", "too late")),
          failsWith("message_deleted"),
        );
        assert.equal(await stores.messages.lastSeq("lobby"), 2);
        assert.equal((await stores.messages.bySeq("lobby", 1))?.text, "");
      });
    });

    it("refuses a revision of a missing seq or of an event with message_not_found, without a gap", async () => {
      await withSubject(factory, async (stores) => {
        const ann = await seedMember(stores, "ann");
        await seedRoom(stores, "lobby");
        await stores.messages.append(newMessage(ann, "lobby", "one"));
        await stores.messages.append(newRevision(ann, "lobby", 1, "edit", "uno"));
        await assert.rejects(
          stores.messages.append(newRevision(ann, "lobby", 7, "edit", "x")),
          failsWith("message_not_found"),
        );
        await assert.rejects(
          stores.messages.append(newRevision(ann, "lobby", 2, "delete")),
          failsWith("message_not_found"),
        );
        await assert.rejects(
          stores.messages.append(newRevision(ann, "nowhere", 1, "delete")),
          (error) => isChatError(error) && (error.code === "room_not_found" || error.code === "message_not_found"),
        );
        const next = await stores.messages.append(newMessage(ann, "lobby", "two"));
        assert.equal(next.message.seq, 3);
      });
    });

    it("is idempotent by clientMsgId: a retried edit returns the first event and stores nothing", async () => {
      await withSubject(factory, async (stores) => {
        const ann = await seedMember(stores, "ann");
        await seedRoom(stores, "lobby");
        await stores.messages.append(newMessage(ann, "lobby", "draft"));
        const first = await stores.messages.append(newRevision(ann, "lobby", 1, "edit", "final", "edit-key"));
        const retry = await stores.messages.append(newRevision(ann, "lobby", 1, "edit", "final", "edit-key"));
        assert.equal(retry.duplicate, true);
        assert.deepEqual(retry.message, first.message);
        assert.equal(await stores.messages.lastSeq("lobby"), 2);
      });
    });

    it("applies concurrent edits, deletes and messages of one batch in seq order, without gaps", async () => {
      await withSubject(factory, async (stores) => {
        const ann = await seedMember(stores, "ann");
        await seedRoom(stores, "lobby");
        await stores.messages.append(newMessage(ann, "lobby", "target"));
        await stores.messages.append(newMessage(ann, "lobby", "kept"));
        const results = await Promise.allSettled([
          stores.messages.append(newMessage(ann, "lobby", "a")),
          stores.messages.append(newRevision(ann, "lobby", 2, "edit", "kept, edited")),
          stores.messages.append(newRevision(ann, "lobby", 1, "edit", "first edit")),
          stores.messages.append(newRevision(ann, "lobby", 1, "delete")),
          stores.messages.append(newRevision(ann, "lobby", 1, "edit", "after the delete")),
          stores.messages.append(newMessage(ann, "lobby", "b")),
        ]);
        const stored = results.flatMap((r) => (r.status === "fulfilled" ? [r.value.message] : []));
        const refused = results.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
        assert.equal(refused.length, 1);
        assert.ok(failsWith("message_deleted")(refused[0]));
        const page = await stores.messages.after("lobby", 0, 50);
        assert.deepEqual(
          page.map((m) => m.seq),
          Array.from({ length: 2 + stored.length }, (_, i) => i + 1),
        );
        assert.deepEqual(await stores.messages.bySeq("lobby", 1).then((m) => [m?.text, m?.deleted]), ["", true]);
        assert.equal((await stores.messages.bySeq("lobby", 2))?.text, "kept, edited");
        const deleteEvent = page.find((m) => m.kind === "delete");
        assert.equal((await stores.messages.bySeq("lobby", 1))?.revisedSeq, deleteEvent?.seq);
        const events = page.filter((m) => m.kind !== undefined && m.targetSeq === 1).map((m) => m.kind);
        assert.deepEqual(events, ["edit", "delete"]);
      });
    });
  });
}
