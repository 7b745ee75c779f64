import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type RoomEvent, RoomEventType, RoomKind, RoomRole } from "@chatroom/client";
import { Op, RoomEvent as RoomEventCodec } from "@chatroom/proto/protocol";
import { failureCode } from "../support/error-code.ts";
import { RawClient } from "../support/raw-client.ts";
import { messagesAfterFlush } from "../support/subscription-probe.ts";
import { type Fixture, register, startFixture, waitFor } from "./support/fixture.ts";

describe("room moderation (embedded)", () => {
  let fixture: Fixture;
  before(async () => {
    fixture = await startFixture();
  });
  after(async () => {
    await fixture.close();
  });

  it("a ban closes the member's subscriptions on all their connections at once and keeps them out", async () => {
    const alice = await register(fixture, "owner");
    const bob = await register(fixture, "banned");
    const carol = await register(fixture, "bystander");
    const room = `ban-${alice.memberId}`;
    await alice.http.createRoom(room);
    await bob.http.joinRoom(room);
    await carol.http.joinRoom(room);
    const aliceTab = await alice.connect();
    const bobTab = await bob.connect();
    const carolTab = await carol.connect();
    const { client: bobRaw } = await RawClient.login(fixture.wsUrl, bob.token);
    const carolEvents: RoomEvent[] = [];
    carolTab.client.on("event", (event) => carolEvents.push(event));
    try {
      await aliceTab.client.send(room, "before the ban");
      await waitFor(() => bobTab.texts(room).includes("before the ban"), "bob to be in the room");

      const reply = await aliceTab.client.ban(room, bob.memberId);
      assert.equal(reply.memberId, bob.memberId);
      const pushed = RoomEventCodec.decode((await bobRaw.push(Op.EVENT)).body);
      assert.deepEqual(
        [pushed.type, pushed.memberId, pushed.actorId],
        [RoomEventType.ROOM_EVENT_TYPE_BANNED, bob.memberId, alice.memberId],
      );
      await waitFor(() => !bobTab.client.rooms.has(room), "bob's tab to drop the room");
      await waitFor(
        () => carolEvents.some((e) => e.type === RoomEventType.ROOM_EVENT_TYPE_BANNED && e.memberId === bob.memberId),
        "carol to see the ban",
      );

      await aliceTab.client.send(room, "after the ban");
      await waitFor(() => carolTab.texts(room).includes("after the ban"), "carol to get the next message");
      // It got what was sent before the ban (so the probe sees messages), and nothing after.
      assert.deepEqual(await messagesAfterFlush(bobRaw, room, "lobby"), ["before the ban"]);
      assert.ok(!bobTab.texts(room).includes("after the ban"));

      assert.equal(await failureCode(bobTab.client.join(room)), "banned");
      assert.equal(await failureCode(bobTab.client.send(room, "let me in")), "not_member");
      await aliceTab.client.unban(room, bob.memberId);
      await bobTab.client.join(room);
      await waitFor(() => bobTab.client.rooms.has(room), "bob back in the room");
    } finally {
      bobRaw.close();
      await Promise.all([aliceTab.client.close(), bobTab.client.close(), carolTab.client.close()]);
    }
  });

  it("roles and mutes reach the member's own client, and a muted member can neither send nor type", async () => {
    const alice = await register(fixture, "chief");
    const dan = await register(fixture, "quiet");
    const room = `mute-${alice.memberId}`;
    await alice.http.createRoom(room);
    await dan.http.joinRoom(room);
    const aliceTab = await alice.connect();
    const danTab = await dan.connect();
    try {
      assert.equal(aliceTab.client.rooms.get(room)?.role, RoomRole.ROOM_ROLE_OWNER);
      await aliceTab.client.setRole(room, dan.name, RoomRole.ROOM_ROLE_MODERATOR);
      await waitFor(() => danTab.client.rooms.get(room)?.role === RoomRole.ROOM_ROLE_MODERATOR, "dan's new role");
      await aliceTab.client.setRole(room, dan.memberId, RoomRole.ROOM_ROLE_MEMBER);
      await aliceTab.client.mute(room, dan.memberId, { durationMs: 600_000 });
      await waitFor(() => danTab.client.rooms.get(room)?.muted === true, "dan to know he is muted");
      assert.ok((danTab.client.rooms.get(room)?.mutedUntilMs ?? 0) > Date.now());
      assert.equal(await failureCode(danTab.client.send(room, "can I talk?")), "muted");
      await aliceTab.client.unmute(room, dan.memberId);
      await waitFor(() => danTab.client.rooms.get(room)?.muted === false, "dan to know he is unmuted");
      await danTab.client.send(room, "thanks");
    } finally {
      await Promise.all([aliceTab.client.close(), danTab.client.close()]);
    }
  });

  it("a private room is joined by invitation, which the invitee hears of at once", async () => {
    const alice = await register(fixture, "host");
    const erin = await register(fixture, "guest");
    const room = `private-${alice.memberId}`;
    const aliceTab = await alice.connect();
    const erinTab = await erin.connect();
    const erinEvents: RoomEvent[] = [];
    erinTab.client.on("event", (event) => erinEvents.push(event));
    try {
      const info = await aliceTab.client.join(room, { create: true, private: true });
      assert.equal(info.kind, RoomKind.ROOM_KIND_PRIVATE);
      assert.equal(await failureCode(erinTab.client.join(room)), "room_not_found");
      await aliceTab.client.invite(room, erin.name);
      await waitFor(
        () => erinEvents.some((e) => e.type === RoomEventType.ROOM_EVENT_TYPE_INVITED && e.room?.roomId === room),
        "erin's invitation",
      );
      assert.deepEqual(
        (await erin.http.myInvitations()).map((i) => i.room.id),
        [room],
      );
      await erinTab.client.join(room);
      await aliceTab.client.send(room, "welcome");
      await waitFor(() => erinTab.texts(room).includes("welcome"), "erin to read the private room");
    } finally {
      await Promise.all([aliceTab.client.close(), erinTab.client.close()]);
    }
  });
});
