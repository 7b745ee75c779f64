import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isChatError } from "../errors.ts";
import type { Stores } from "../store/stores.ts";
import type { RoomRestriction } from "../types.ts";
import { type ContractFactory, withSubject } from "./contract-subject.ts";
import { seedMember, seedRoom } from "./store-fixtures.ts";

const NOW = 1_000_000;

function restriction(roomId: string, memberId: number, untilMs: number | null, byMemberId = 1): RoomRestriction {
  return { roomId, memberId, untilMs, byMemberId, atMs: NOW };
}

const hasCode = (code: string) => (error: unknown) => isChatError(error) && error.code === code;

/** Bans, mutes and invitations (store/moderation-store.ts). */
export function moderationStoreCases(factory: ContractFactory<Stores>): void {
  describe("moderation", () => {
    it("bans: ends the membership and any invitation in the same step, and lasts until lifted", async () => {
      await withSubject(factory, async (stores) => {
        const ann = await seedMember(stores, "ann");
        await seedRoom(stores, "club");
        await stores.rooms.join("club", ann.id, 10, "moderator");
        await stores.moderation.invite({ roomId: "club", memberId: ann.id, invitedBy: 1, atMs: 5 });
        const ban = restriction("club", ann.id, null, 42);
        assert.deepEqual(await stores.moderation.ban(ban), { membershipEnded: true });
        assert.equal(await stores.rooms.isMember("club", ann.id), false);
        assert.equal(await stores.moderation.findInvitation("club", ann.id), null);
        assert.deepEqual(await stores.moderation.findBan("club", ann.id, NOW + 10 ** 9), ban);
        assert.deepEqual(await stores.moderation.ban({ ...ban, atMs: NOW + 1 }), { membershipEnded: false });
        assert.equal((await stores.moderation.findBan("club", ann.id, NOW))?.atMs, NOW + 1, "a ban replaces one");
        assert.equal(await stores.moderation.unban("club", ann.id, NOW), true);
        assert.equal(await stores.moderation.unban("club", ann.id, NOW), false);
        assert.equal(await stores.moderation.findBan("club", ann.id, NOW), null);
        await stores.rooms.join("club", ann.id, 20);
        assert.equal((await stores.rooms.membership("club", ann.id))?.role, "member", "the role went with the ban");
      });
    });

    it("bans: one that expired is none — not found, not listed, not liftable, and replaced by the next", async () => {
      await withSubject(factory, async (stores) => {
        const ann = await seedMember(stores, "ann");
        await seedRoom(stores, "club");
        await stores.moderation.ban(restriction("club", ann.id, NOW + 100));
        assert.ok(await stores.moderation.findBan("club", ann.id, NOW + 99));
        assert.equal(await stores.moderation.findBan("club", ann.id, NOW + 100), null);
        assert.deepEqual(await stores.moderation.bans("club", NOW + 100, { limit: 10 }), []);
        assert.equal(await stores.moderation.unban("club", ann.id, NOW + 100), false);
        await stores.moderation.ban(restriction("club", ann.id, NOW + 500));
        assert.equal((await stores.moderation.findBan("club", ann.id, NOW + 200))?.untilMs, NOW + 500);
      });
    });

    it("lists a room's bans in force by member id, paged", async () => {
      await withSubject(factory, async (stores) => {
        await seedRoom(stores, "club");
        await seedRoom(stores, "other");
        const ids: number[] = [];
        for (const name of ["b1", "b2", "b3", "b4"]) ids.push((await seedMember(stores, name)).id);
        ids.sort((a, b) => a - b);
        for (const id of [...ids].reverse()) await stores.moderation.ban(restriction("club", id, null));
        await stores.moderation.ban(restriction("club", ids[3]!, NOW - 1));
        await stores.moderation.ban(restriction("other", ids[0]!, null));
        const first = await stores.moderation.bans("club", NOW, { limit: 2 });
        assert.deepEqual(
          first.map((ban) => ban.memberId),
          ids.slice(0, 2),
        );
        const rest = await stores.moderation.bans("club", NOW, { afterMemberId: ids[1]!, limit: 10 });
        assert.deepEqual(
          rest.map((ban) => ban.memberId),
          [ids[2]],
          "the expired ban is left out",
        );
      });
    });

    it("mutes: recorded, replaced, found while in force, lifted once, listed for given members", async () => {
      await withSubject(factory, async (stores) => {
        const ann = await seedMember(stores, "ann");
        const bob = await seedMember(stores, "bob");
        const cid = await seedMember(stores, "cid");
        await seedRoom(stores, "club");
        await stores.rooms.join("club", ann.id, 10);
        await stores.moderation.mute(restriction("club", ann.id, NOW + 100));
        await stores.moderation.mute(restriction("club", bob.id, null));
        await stores.moderation.mute(restriction("club", cid.id, NOW - 1));
        assert.equal(await stores.rooms.isMember("club", ann.id), true, "a muted member stays");
        assert.deepEqual(await stores.moderation.findMute("club", ann.id, NOW), restriction("club", ann.id, NOW + 100));
        assert.equal(await stores.moderation.findMute("club", ann.id, NOW + 100), null);
        await stores.moderation.mute(restriction("club", ann.id, NOW + 900));
        assert.equal((await stores.moderation.findMute("club", ann.id, NOW + 100))?.untilMs, NOW + 900);
        const muted = await stores.moderation.mutesOf("club", [ann.id, bob.id, cid.id, 987_654], NOW);
        assert.deepEqual(muted.map((mute) => mute.memberId).sort(), [ann.id, bob.id].sort());
        assert.deepEqual(await stores.moderation.mutesOf("club", [], NOW), []);
        await seedRoom(stores, "other");
        await stores.moderation.mute(restriction("other", ann.id, null));
        const annMutes = await stores.moderation.mutesOfMember(ann.id, NOW);
        assert.deepEqual(annMutes.map((mute) => mute.roomId).sort(), ["club", "other"]);
        assert.deepEqual(await stores.moderation.mutesOfMember(cid.id, NOW), [], "an expired mute is none");
        assert.equal(await stores.moderation.unmute("club", bob.id, NOW), true);
        assert.equal(await stores.moderation.unmute("club", bob.id, NOW), false);
        assert.equal(await stores.moderation.unmute("club", cid.id, NOW), false, "an expired mute is none");
      });
    });

    it("mutes survive leaving and coming back", async () => {
      await withSubject(factory, async (stores) => {
        const ann = await seedMember(stores, "ann");
        await seedRoom(stores, "club");
        await stores.rooms.join("club", ann.id, 10);
        await stores.moderation.mute(restriction("club", ann.id, null));
        await stores.rooms.leave("club", ann.id);
        await stores.rooms.join("club", ann.id, 20);
        assert.ok(await stores.moderation.findMute("club", ann.id, NOW));
      });
    });

    it("invitations: the first stays, withdrawn once, listed per room and per member with the room", async () => {
      await withSubject(factory, async (stores) => {
        const ann = await seedMember(stores, "ann");
        const bob = await seedMember(stores, "bob");
        const secret = await seedRoom(stores, "secret", "private");
        const other = await seedRoom(stores, "other", "private");
        const first = { roomId: "secret", memberId: ann.id, invitedBy: bob.id, atMs: 100 };
        assert.equal(await stores.moderation.invite(first), true);
        assert.equal(await stores.moderation.invite({ ...first, atMs: 200 }), false);
        assert.deepEqual(await stores.moderation.findInvitation("secret", ann.id), first);
        assert.equal(
          await stores.moderation.invite({ roomId: "other", memberId: ann.id, invitedBy: 1, atMs: 300 }),
          true,
        );
        assert.equal(
          await stores.moderation.invite({ roomId: "secret", memberId: bob.id, invitedBy: 1, atMs: 50 }),
          true,
        );
        assert.deepEqual(
          (await stores.moderation.invitations("secret", { limit: 10 })).map((i) => i.memberId),
          [ann.id, bob.id].sort((a, b) => a - b),
        );
        const mine = await stores.moderation.invitationsOf(ann.id, 10);
        assert.deepEqual(
          mine.map((entry) => entry.room),
          [other, secret],
          "newest first, with the room",
        );
        assert.deepEqual(mine[1]?.invitation, first);
        assert.equal((await stores.moderation.invitationsOf(ann.id, 1)).length, 1);
        assert.equal(await stores.moderation.uninvite("secret", ann.id), true);
        assert.equal(await stores.moderation.uninvite("secret", ann.id), false);
        assert.equal(await stores.moderation.findInvitation("secret", ann.id), null);
      });
    });

    it("refuses writes about a room or member that does not exist", async () => {
      await withSubject(factory, async (stores) => {
        const ann = await seedMember(stores, "ann");
        await seedRoom(stores, "club");
        await assert.rejects(stores.moderation.ban(restriction("nowhere", ann.id, null)), hasCode("room_not_found"));
        await assert.rejects(stores.moderation.ban(restriction("club", 987_654, null)), hasCode("member_not_found"));
        await assert.rejects(stores.moderation.mute(restriction("club", 987_654, null)), hasCode("member_not_found"));
        await assert.rejects(
          stores.moderation.invite({ roomId: "nowhere", memberId: ann.id, invitedBy: 1, atMs: 1 }),
          hasCode("room_not_found"),
        );
        assert.equal(await stores.moderation.findBan("club", ann.id, NOW), null);
      });
    });
  });
}
