import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isChatError } from "../errors.ts";
import type { Stores } from "../store/stores.ts";
import { directRoomId } from "../types.ts";
import { type ContractFactory, withSubject } from "./contract-subject.ts";
import { newMessage, seedMember, seedRoom } from "./store-fixtures.ts";

export function roomStoreCases(factory: ContractFactory<Stores>): void {
  describe("rooms", () => {
    it("creates a room with lastSeq 0 and gets it", async () => {
      await withSubject(factory, async (stores) => {
        const room = await stores.rooms.create({
          id: "lobby",
          name: "Lobby",
          kind: "public",
          createdBy: 7,
          createdAtMs: 1_234,
        });
        assert.deepEqual(room, {
          id: "lobby",
          name: "Lobby",
          kind: "public",
          createdBy: 7,
          createdAtMs: 1_234,
          lastSeq: 0,
        });
        assert.deepEqual(await stores.rooms.get("lobby"), room);
        assert.equal(await stores.rooms.get("nowhere"), null);
      });
    });

    it("refuses a taken room id with room_exists", async () => {
      await withSubject(factory, async (stores) => {
        await seedRoom(stores, "lobby");
        await assert.rejects(seedRoom(stores, "lobby"), (error) => isChatError(error) && error.code === "room_exists");
      });
    });

    it("lists public rooms by id, paged by afterId, leaving direct rooms out", async () => {
      await withSubject(factory, async (stores) => {
        for (const id of ["delta", "alpha", "charlie", "bravo", "echo"]) await seedRoom(stores, id);
        await seedRoom(stores, directRoomId(1, 2), "direct");
        const first = await stores.rooms.listPublic({ limit: 2 });
        assert.deepEqual(
          first.map((room) => room.id),
          ["alpha", "bravo"],
        );
        const second = await stores.rooms.listPublic({ afterId: "bravo", limit: 2 });
        assert.deepEqual(
          second.map((room) => room.id),
          ["charlie", "delta"],
        );
        const rest = await stores.rooms.listPublic({ afterId: "delta", limit: 10 });
        assert.deepEqual(
          rest.map((room) => room.id),
          ["echo"],
        );
      });
    });

    it("joins and leaves idempotently, reporting whether anything changed", async () => {
      await withSubject(factory, async (stores) => {
        const ann = await seedMember(stores, "ann");
        await seedRoom(stores, "lobby");
        assert.equal(await stores.rooms.isMember("lobby", ann.id), false);
        assert.equal(await stores.rooms.join("lobby", ann.id, 5_000), true);
        assert.equal(await stores.rooms.join("lobby", ann.id, 6_000), false);
        assert.equal(await stores.rooms.isMember("lobby", ann.id), true);
        assert.equal(await stores.rooms.leave("lobby", ann.id), true);
        assert.equal(await stores.rooms.leave("lobby", ann.id), false);
        assert.equal(await stores.rooms.isMember("lobby", ann.id), false);
      });
    });

    it("lists a room's members by id, paged by afterMemberId, with their cursors", async () => {
      await withSubject(factory, async (stores) => {
        await seedRoom(stores, "lobby");
        const members = [];
        for (const name of ["m1", "m2", "m3", "m4"]) members.push(await seedMember(stores, name));
        for (const member of [...members].reverse()) await stores.rooms.join("lobby", member.id, 5_000 + member.id);
        const ids = members.map((member) => member.id).sort((a, b) => a - b);
        const first = await stores.rooms.members("lobby", { limit: 3 });
        assert.deepEqual(
          first.map((membership) => membership.memberId),
          ids.slice(0, 3),
        );
        assert.deepEqual(first[0], { roomId: "lobby", memberId: ids[0], joinedAtMs: 5_000 + ids[0]!, ackedSeq: 0 });
        const rest = await stores.rooms.members("lobby", { afterMemberId: ids[2]!, limit: 3 });
        assert.deepEqual(
          rest.map((membership) => membership.memberId),
          ids.slice(3),
        );
      });
    });

    it("lists every room of a member, public and direct, with the member's cursor", async () => {
      await withSubject(factory, async (stores) => {
        const ann = await seedMember(stores, "ann");
        const bob = await seedMember(stores, "bob");
        await seedRoom(stores, "lobby");
        await seedRoom(stores, "other");
        const dm = directRoomId(ann.id, bob.id);
        await seedRoom(stores, dm, "direct");
        await stores.rooms.join("lobby", ann.id, 10);
        await stores.rooms.join(dm, ann.id, 20);
        await stores.rooms.join("other", bob.id, 30);
        await stores.messages.append(newMessage(ann, "lobby", "hello"));
        await stores.rooms.ack("lobby", ann.id, 1);
        const rooms = await stores.rooms.roomsOf(ann.id);
        const byId = new Map(rooms.map((entry) => [entry.room.id, entry]));
        assert.deepEqual([...byId.keys()].sort(), [dm, "lobby"].sort());
        assert.equal(byId.get(dm)?.room.kind, "direct");
        assert.equal(byId.get("lobby")?.room.lastSeq, 1);
        assert.deepEqual(byId.get("lobby")?.membership, {
          roomId: "lobby",
          memberId: ann.id,
          joinedAtMs: 10,
          ackedSeq: 1,
        });
        assert.deepEqual(await stores.rooms.roomsOf(987_654), []);
      });
    });

    it("moves a read cursor forward only, and only for members", async () => {
      await withSubject(factory, async (stores) => {
        const ann = await seedMember(stores, "ann");
        const bob = await seedMember(stores, "bob");
        await seedRoom(stores, "lobby");
        await stores.rooms.join("lobby", ann.id, 10);
        assert.equal(await stores.rooms.ack("lobby", ann.id, 5), true);
        assert.equal(await stores.rooms.ack("lobby", ann.id, 3), true);
        const [membership] = await stores.rooms.members("lobby", { limit: 10 });
        assert.equal(membership?.ackedSeq, 5);
        assert.equal(await stores.rooms.ack("lobby", bob.id, 5), false);
        assert.equal(await stores.rooms.ack("nowhere", ann.id, 5), false);
      });
    });
  });
}
