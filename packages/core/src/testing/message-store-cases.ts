import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isChatError } from "../errors.ts";
import type { Stores } from "../store/stores.ts";
import type { StoredMessage } from "../types.ts";
import { type ContractFactory, withSubject } from "./contract-subject.ts";
import { newMessage, seedMember, seedRoom } from "./store-fixtures.ts";

const seqsOf = (messages: readonly StoredMessage[]) => messages.map((message) => message.seq);

export function messageStoreCases(factory: ContractFactory<Stores>): void {
  describe("messages", () => {
    it("gives a room's messages seq 1, 2, 3 and stores them as sent", async () => {
      await withSubject(factory, async (stores) => {
        const ann = await seedMember(stores, "ann");
        await seedRoom(stores, "lobby");
        await seedRoom(stores, "other");
        const input = newMessage(ann, "lobby", "first");
        const { message, duplicate } = await stores.messages.append(input);
        assert.equal(duplicate, false);
        assert.deepEqual(message, { ...input, seq: 1 });
        assert.equal((await stores.messages.append(newMessage(ann, "lobby", "second"))).message.seq, 2);
        assert.equal((await stores.messages.append(newMessage(ann, "other", "elsewhere"))).message.seq, 1);
        assert.equal((await stores.messages.append(newMessage(ann, "lobby", "third"))).message.seq, 3);
        assert.deepEqual(await stores.messages.findById(input.id), { ...input, seq: 1 });
        assert.equal(await stores.messages.lastSeq("lobby"), 3);
        assert.equal((await stores.rooms.get("lobby"))?.lastSeq, 3);
        assert.equal(await stores.messages.lastSeq("nowhere"), 0);
        assert.equal(await stores.messages.findById("no-such-id"), null);
      });
    });

    it("assigns strictly increasing seqs without gaps to 50 concurrent appends", async () => {
      await withSubject(factory, async (stores) => {
        const senders = [await seedMember(stores, "ann"), await seedMember(stores, "bob")];
        await seedRoom(stores, "lobby");
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) => stores.messages.append(newMessage(senders[i % 2]!, "lobby", `m${i}`))),
        );
        const seqs = results.map((result) => result.message.seq).sort((a, b) => a - b);
        assert.deepEqual(
          seqs,
          Array.from({ length: 50 }, (_, i) => i + 1),
        );
        const stored = await stores.messages.after("lobby", 0, 100);
        assert.deepEqual(
          seqsOf(stored),
          Array.from({ length: 50 }, (_, i) => i + 1),
        );
        for (const { message } of results) {
          assert.equal(stored[message.seq - 1]?.id, message.id);
        }
      });
    });

    it("returns the stored message with duplicate: true for a repeated (sender, clientMsgId) and stores nothing", async () => {
      await withSubject(factory, async (stores) => {
        const ann = await seedMember(stores, "ann");
        const bob = await seedMember(stores, "bob");
        await seedRoom(stores, "lobby");
        const first = await stores.messages.append(newMessage(ann, "lobby", "once", "retry-key"));
        const again = await stores.messages.append({ ...newMessage(ann, "lobby", "once", "retry-key") });
        assert.equal(again.duplicate, true);
        assert.deepEqual(again.message, first.message);
        const concurrent = await Promise.all(
          Array.from({ length: 5 }, () => stores.messages.append(newMessage(ann, "lobby", "burst", "burst-key"))),
        );
        assert.equal(concurrent.filter((result) => !result.duplicate).length, 1);
        assert.equal(new Set(concurrent.map((result) => result.message.id)).size, 1);
        const other = await stores.messages.append(newMessage(bob, "lobby", "same key, other sender", "retry-key"));
        assert.equal(other.duplicate, false);
        assert.equal(await stores.messages.lastSeq("lobby"), 3);
      });
    });

    it("does not deduplicate messages without a clientMsgId", async () => {
      await withSubject(factory, async (stores) => {
        const ann = await seedMember(stores, "ann");
        await seedRoom(stores, "lobby");
        const a = await stores.messages.append(newMessage(ann, "lobby", "one", ""));
        const b = await stores.messages.append(newMessage(ann, "lobby", "two", ""));
        assert.deepEqual([a.duplicate, b.duplicate], [false, false]);
        assert.deepEqual([a.message.seq, b.message.seq], [1, 2]);
        assert.equal((await stores.messages.findById(b.message.id))?.clientMsgId, "");
      });
    });

    it("refuses an append to an unknown room with room_not_found", async () => {
      await withSubject(factory, async (stores) => {
        const ann = await seedMember(stores, "ann");
        await assert.rejects(
          stores.messages.append(newMessage(ann, "nowhere", "hello")),
          (error) => isChatError(error) && error.code === "room_not_found",
        );
      });
    });

    it("pages after a seq, oldest first", async () => {
      await withSubject(factory, async (stores) => {
        const ann = await seedMember(stores, "ann");
        await seedRoom(stores, "lobby");
        for (let i = 1; i <= 10; i++) await stores.messages.append(newMessage(ann, "lobby", `m${i}`));
        assert.deepEqual(seqsOf(await stores.messages.after("lobby", 0, 3)), [1, 2, 3]);
        assert.deepEqual(seqsOf(await stores.messages.after("lobby", 7, 50)), [8, 9, 10]);
        assert.deepEqual(await stores.messages.after("lobby", 10, 50), []);
        assert.deepEqual(await stores.messages.after("nowhere", 0, 50), []);
      });
    });

    it("pages before a seq (0 = newest), the newest of them, oldest first", async () => {
      await withSubject(factory, async (stores) => {
        const ann = await seedMember(stores, "ann");
        await seedRoom(stores, "lobby");
        for (let i = 1; i <= 10; i++) await stores.messages.append(newMessage(ann, "lobby", `m${i}`));
        assert.deepEqual(seqsOf(await stores.messages.before("lobby", 0, 3)), [8, 9, 10]);
        assert.deepEqual(seqsOf(await stores.messages.before("lobby", 8, 3)), [5, 6, 7]);
        assert.deepEqual(seqsOf(await stores.messages.before("lobby", 3, 50)), [1, 2]);
        assert.deepEqual(await stores.messages.before("lobby", 1, 50), []);
        assert.deepEqual(await stores.messages.before("nowhere", 0, 50), []);
      });
    });

    it("stores and returns text verbatim, SQL, HTML, emoji and whitespace included", async () => {
      await withSubject(factory, async (stores) => {
        const sender = await seedMember(stores, "Robert'); DROP TABLE members;--");
        await seedRoom(stores, "lobby");
        const texts = [
          "'); DROP TABLE messages;--",
          "<img src=x onerror=alert(1)>",
          "emoji 👋🏽 👨‍👩‍👧 and ümlauts",
          '  leading and trailing spaces, "quotes", \\backslash\\, tab\tand\nnewline  ',
          "% _ wildcards ? :named $1",
        ];
        const ids = [];
        for (const text of texts)
          ids.push((await stores.messages.append(newMessage(sender, "lobby", text))).message.id);
        const stored = await stores.messages.after("lobby", 0, 50);
        assert.deepEqual(
          stored.map((message) => message.text),
          texts,
        );
        for (const [i, id] of ids.entries()) assert.equal((await stores.messages.findById(id))?.text, texts[i]);
        assert.equal(stored[0]?.senderName, "Robert'); DROP TABLE members;--");
        assert.equal((await stores.members.findById(sender.id))?.username, "Robert'); DROP TABLE members;--");
      });
    });
  });
}
