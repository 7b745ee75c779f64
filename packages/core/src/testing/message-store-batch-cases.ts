import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isChatError } from "../errors.ts";
import type { Stores } from "../store/stores.ts";
import type { StoredMessage } from "../types.ts";
import { type ContractFactory, withSubject } from "./contract-subject.ts";
import { newMessage, seedMember, seedRoom } from "./store-fixtures.ts";

const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/** Asserts that `roomId` holds seqs 1..n without a gap and that each acknowledged message sits at its seq. */
async function assertStoredAsAcknowledged(stores: Stores, roomId: string, acked: readonly StoredMessage[]) {
  const stored = await stores.messages.after(roomId, 0, acked.length + 10);
  assert.deepEqual(
    stored.map((message) => message.seq),
    oneToN(acked.length),
    `seqs of ${roomId}`,
  );
  for (const message of acked) assert.deepEqual(stored[message.seq - 1], message, `${roomId} seq ${message.seq}`);
  assert.equal(await stores.messages.lastSeq(roomId), acked.length);
}

/**
 * Appends issued together, which an implementation may write as one batch (group commit): the contract holds for
 * each of them and a bad append fails alone.
 */
export function messageStoreBatchCases(factory: ContractFactory<Stores>): void {
  describe("messages appended together", () => {
    it("give 600 concurrent appends over 6 rooms seqs 1..n per room, each stored at the seq it was acknowledged with", async () => {
      await withSubject(factory, async (stores) => {
        const senders = [
          await seedMember(stores, "ann"),
          await seedMember(stores, "bob"),
          await seedMember(stores, "cy"),
        ];
        const rooms = ["r0", "r1", "r2", "r3", "r4", "r5"];
        for (const room of rooms) await seedRoom(stores, room);
        // Three waves, the next one issued while the previous is being written.
        const waves = [0, 1, 2].map((wave) =>
          Promise.all(
            Array.from({ length: 200 }, (_, i) =>
              stores.messages.append(newMessage(senders[i % 3]!, rooms[(i * 7 + wave) % 6]!, `w${wave} m${i}`)),
            ),
          ),
        );
        const results = (await Promise.all(waves)).flat();
        assert.ok(results.every((result) => !result.duplicate));
        for (const room of rooms) {
          await assertStoredAsAcknowledged(
            stores,
            room,
            results.filter((result) => result.message.roomId === room).map((result) => result.message),
          );
        }
      });
    });

    it("store each idempotency key once when its retries arrive together, every retry resolving as its duplicate", async () => {
      await withSubject(factory, async (stores) => {
        const ann = await seedMember(stores, "ann");
        const bob = await seedMember(stores, "bob");
        await seedRoom(stores, "lobby");
        const appends = [];
        for (let i = 0; i < 20; i++) {
          // Three tries of one key (each with a new message id, as a resent request gets from logic), and messages
          // without a key in between; bob's keys are ann's, which is no conflict.
          for (let attempt = 0; attempt < 3; attempt++) {
            appends.push(stores.messages.append(newMessage(ann, "lobby", `k${i}`, `key-${i}`)));
            appends.push(stores.messages.append(newMessage(ann, "lobby", `plain ${i}.${attempt}`, "")));
          }
          appends.push(stores.messages.append(newMessage(bob, "lobby", `bob k${i}`, `key-${i}`)));
        }
        const results = await Promise.all(appends);
        const byKey = new Map<string, typeof results>();
        for (const result of results) {
          if (result.message.clientMsgId === "") continue;
          const key = `${result.message.senderId}/${result.message.clientMsgId}`;
          byKey.set(key, [...(byKey.get(key) ?? []), result]);
        }
        assert.equal(byKey.size, 40);
        for (const [key, tries] of byKey) {
          assert.equal(new Set(tries.map((t) => t.message.id)).size, 1, `one message for ${key}`);
          assert.equal(tries.filter((t) => !t.duplicate).length, 1, `one original for ${key}`);
        }
        const originals = results.filter((result) => !result.duplicate).map((result) => result.message);
        assert.equal(originals.length, 40 + 60);
        await assertStoredAsAcknowledged(stores, "lobby", originals);
      });
    });

    it("fail only the bad appends of a batch: unknown room, reused message id; a retry of a stored message is its duplicate", async () => {
      await withSubject(factory, async (stores) => {
        const ann = await seedMember(stores, "ann");
        await seedRoom(stores, "lobby");
        const first = (await stores.messages.append(newMessage(ann, "lobby", "first", "first-key"))).message;
        const good = (i: number) => stores.messages.append(newMessage(ann, "lobby", `good ${i}`));
        const settled = await Promise.allSettled([
          ...[0, 1, 2, 3, 4].map(good),
          stores.messages.append(newMessage(ann, "nowhere", "lost")),
          stores.messages.append({ ...newMessage(ann, "lobby", "reused id"), id: first.id }),
          stores.messages.append(newMessage(ann, "lobby", "first again", "first-key")),
          ...[5, 6, 7, 8, 9].map(good),
        ]);
        const rejection = (i: number): unknown => {
          const outcome = settled[i];
          assert.ok(outcome?.status === "rejected", `append ${i} fails`);
          return outcome.reason;
        };
        const code = (error: unknown) => (isChatError(error) ? error.code : String(error));
        assert.equal(code(rejection(5)), "room_not_found");
        assert.equal(code(rejection(6)), "conflict");
        const retry = settled[7];
        assert.ok(retry?.status === "fulfilled", "the retry succeeds");
        assert.deepEqual(retry.value, { message: first, duplicate: true });
        const goods = settled.flatMap((outcome, i) =>
          i !== 7 && outcome.status === "fulfilled" ? [outcome.value] : [],
        );
        assert.equal(goods.length, 10);
        assert.ok(goods.every((result) => !result.duplicate));
        await assertStoredAsAcknowledged(stores, "lobby", [first, ...goods.map((result) => result.message)]);
        assert.equal((await stores.messages.findById(first.id))?.text, "first");
      });
    });
  });
}
