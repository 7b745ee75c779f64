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
        await seedRoom(stores, "bravo-private", "private");
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
        assert.deepEqual(first[0], {
          roomId: "lobby",
          memberId: ids[0],
          joinedAtMs: 5_000 + ids[0]!,
          ackedSeq: 0,
          role: "member",
        });
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
          role: "member",
        });
        assert.deepEqual(await stores.rooms.roomsOf(987_654), []);
      });
    });

    it("keeps a private room private: listed nowhere, read back as private, its id taken", async () => {
      await withSubject(factory, async (stores) => {
        const secret = await seedRoom(stores, "secret", "private");
        assert.equal(secret.kind, "private");
        assert.equal((await stores.rooms.get("secret"))?.kind, "private");
        assert.deepEqual(await stores.rooms.listPublic({ limit: 10 }), []);
        await assert.rejects(seedRoom(stores, "secret"), (error) => isChatError(error) && error.code === "room_exists");
        const ann = await seedMember(stores, "ann");
        await stores.rooms.join("secret", ann.id, 10);
        const [entry] = await stores.rooms.roomsOf(ann.id);
        assert.equal(entry?.room.kind, "private");
      });
    });

    it("gives members roles: joined with one, changed by setRole, lost with the membership", async () => {
      await withSubject(factory, async (stores) => {
        const ann = await seedMember(stores, "ann");
        const bob = await seedMember(stores, "bob");
        await seedRoom(stores, "club");
        assert.equal(await stores.rooms.join("club", ann.id, 10, "owner"), true);
        assert.equal(await stores.rooms.join("club", bob.id, 20), true);
        assert.equal(await stores.rooms.join("club", ann.id, 30, "member"), false, "a second join changes nothing");
        assert.equal((await stores.rooms.membership("club", ann.id))?.role, "owner");
        assert.deepEqual(await stores.rooms.membership("club", bob.id), {
          roomId: "club",
          memberId: bob.id,
          joinedAtMs: 20,
          ackedSeq: 0,
          role: "member",
        });
        assert.equal(await stores.rooms.membership("club", 987_654), null);
        assert.equal(await stores.rooms.setRole("club", bob.id, "moderator"), true);
        assert.equal(await stores.rooms.setRole("club", bob.id, "moderator"), true, "unchanged still reports a member");
        assert.equal(await stores.rooms.setRole("club", 987_654, "moderator"), false);
        assert.equal((await stores.rooms.roomsOf(bob.id))[0]?.membership.role, "moderator");
        await stores.rooms.leave("club", bob.id);
        await stores.rooms.join("club", bob.id, 40);
        assert.equal((await stores.rooms.membership("club", bob.id))?.role, "member", "coming back: a member again");
      });
    });

    it("lists the members with a role, longest-standing first", async () => {
      await withSubject(factory, async (stores) => {
        await seedRoom(stores, "club");
        const [m1, m2, m3, m4] = [
          await seedMember(stores, "m1"),
          await seedMember(stores, "m2"),
          await seedMember(stores, "m3"),
          await seedMember(stores, "m4"),
        ];
        assert.ok(m1 && m2 && m3 && m4);
        await stores.rooms.join("club", m1.id, 300, "moderator");
        await stores.rooms.join("club", m2.id, 100, "moderator");
        await stores.rooms.join("club", m3.id, 200);
        await stores.rooms.join("club", m4.id, 100, "moderator");
        const moderators = await stores.rooms.withRole("club", "moderator", 10);
        const tied = [m2.id, m4.id].sort((a, b) => a - b);
        assert.deepEqual(
          moderators.map((m) => m.memberId),
          [...tied, m1.id],
        );
        assert.deepEqual(
          (await stores.rooms.withRole("club", "moderator", 1)).map((m) => m.memberId),
          [tied[0]],
        );
        assert.deepEqual(
          (await stores.rooms.withRole("club", "member", 10)).map((m) => m.memberId),
          [m3.id],
        );
        assert.deepEqual(await stores.rooms.withRole("club", "owner", 10), []);
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
