import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { PushMsg } from "@chatroom/proto/grpc";
import { Op, RoomEvent, RoomEventType } from "@chatroom/proto/protocol";
import { type Account, errorCode, type Harness, register, request, startHarness } from "./harness.ts";

let counter = 0;
const unique = (prefix: string) => `${prefix}${process.pid % 10_000}x${++counter}`;

interface MemberJson {
  id: number;
  role: string | null;
  muted: boolean;
  mutedUntilMs: number | null;
}

/** A room event published about `memberId` in `roomId` of `type` (to the room, or to the member with a control). */
function eventOf(push: PushMsg): RoomEvent | null {
  return push.operation === Op.EVENT ? RoomEvent.decode(push.msg) : null;
}

describe("room roles, moderation and private rooms over HTTP", () => {
  let harness: Harness;
  let clock = Date.now();
  before(async () => {
    harness = await startHarness(
      { sendRateCapacity: 1000, roomCreateRateCapacity: 1000, inviteRateCapacity: 3, lobbyOwners: ["Boss"] },
      { now: () => clock },
    );
  });
  after(() => harness.close());

  const api = (account: Account, method: string, path: string, json?: unknown) =>
    request(harness, method, path, json === undefined ? { token: account.token } : { token: account.token, json });
  const members = async (viewer: Account, room: string) =>
    (await api(viewer, "GET", `/api/v1/rooms/${room}/members`)).body as { members: MemberJson[] };
  const roleOf = async (viewer: Account, room: string, id: number) =>
    (await members(viewer, room)).members.find((m) => m.id === id)?.role;
  const say = (account: Account, room: string, text: string) =>
    api(account, "POST", `/api/v1/rooms/${room}/messages`, { text });

  /** A public room owned by a new account, with two more members. */
  async function club(): Promise<{ room: string; owner: Account; mod: Account; member: Account }> {
    const owner = await register(harness, unique("own"));
    const mod = await register(harness, unique("mod"));
    const member = await register(harness, unique("mem"));
    const room = unique("club");
    assert.equal((await api(owner, "POST", "/api/v1/rooms", { id: room })).status, 201);
    for (const who of [mod, member])
      assert.equal((await api(who, "PUT", `/api/v1/rooms/${room}/members/me`)).status, 200);
    assert.equal(
      (await api(owner, "PUT", `/api/v1/rooms/${room}/members/${mod.id}/role`, { role: "moderator" })).status,
      200,
    );
    return { room, owner, mod, member };
  }

  it("makes the creator the owner, shows roles, and lets only owners change them", async () => {
    const { room, owner, mod, member } = await club();
    assert.equal(await roleOf(member, room, owner.id), "owner");
    assert.equal(await roleOf(member, room, mod.id), "moderator");
    assert.equal(await roleOf(member, room, member.id), "member");
    const mine = (await api(owner, "GET", "/api/v1/me/rooms")).body as { rooms: Array<{ id: string; role: string }> };
    assert.equal(mine.rooms.find((r) => r.id === room)?.role, "owner");
    const byMod = await api(mod, "PUT", `/api/v1/rooms/${room}/members/${member.id}/role`, { role: "moderator" });
    assert.equal(byMod.status, 403);
    assert.equal(errorCode(byMod), "insufficient_role");
    const onOwner = await api(owner, "PUT", `/api/v1/rooms/${room}/members/${owner.id}/role`, { role: "member" });
    assert.equal(errorCode(onOwner), "conflict", "the last owner cannot step down");
    const bad = await api(owner, "PUT", `/api/v1/rooms/${room}/members/${member.id}/role`, { role: "king" });
    assert.equal(errorCode(bad), "bad_request");
    const event = await harness.waitForPush((p) => {
      const e = eventOf(p);
      return e?.type === RoomEventType.ROOM_EVENT_TYPE_ROLE_CHANGED && e.roomId === room && e.memberId === mod.id;
    });
    assert.equal(eventOf(event)?.actorId, owner.id);
  });

  it("lets a moderator kick a member, who may come back to a public room, but not a moderator or owner", async () => {
    const { room, owner, mod, member } = await club();
    assert.equal(
      errorCode(await api(member, "DELETE", `/api/v1/rooms/${room}/members/${mod.id}`)),
      "insufficient_role",
    );
    assert.equal(errorCode(await api(mod, "DELETE", `/api/v1/rooms/${room}/members/${owner.id}`)), "insufficient_role");
    assert.equal((await api(mod, "DELETE", `/api/v1/rooms/${room}/members/${member.id}`)).status, 204);
    assert.equal((await say(member, room, "still here?")).status, 403);
    const control = await harness.waitForPush(
      (p) => p.members.includes(member.id) && (p.control?.leaveRooms ?? []).includes(room),
    );
    assert.equal(eventOf(control)?.type, RoomEventType.ROOM_EVENT_TYPE_KICKED);
    assert.equal((await api(member, "PUT", `/api/v1/rooms/${room}/members/me`)).status, 200, "a kick is no ban");
    assert.equal(await roleOf(owner, room, member.id), "member");
  });

  it("bans: closes the member's subscriptions, refuses them until unbanned, and a timed ban ends by itself", async () => {
    const { room, owner, mod, member } = await club();
    const banned = await api(mod, "PUT", `/api/v1/rooms/${room}/bans/${member.id}`);
    assert.equal(banned.status, 200);
    assert.deepEqual((banned.body as { untilMs: number | null }).untilMs, null);
    await harness.waitForPush((p) => p.members.includes(member.id) && (p.control?.leaveRooms ?? []).includes(room));
    const rejoin = await api(member, "PUT", `/api/v1/rooms/${room}/members/me`);
    assert.equal(rejoin.status, 403);
    assert.equal(errorCode(rejoin), "banned");
    const list = (await api(owner, "GET", `/api/v1/rooms/${room}/bans`)).body as {
      bans: Array<{ member: { id: number } }>;
    };
    assert.deepEqual(
      list.bans.map((b) => b.member.id),
      [member.id],
    );
    assert.equal(errorCode(await api(member, "GET", `/api/v1/rooms/${room}/bans`)), "not_member");
    assert.equal((await api(mod, "DELETE", `/api/v1/rooms/${room}/bans/${member.id}`)).status, 204);
    assert.equal((await api(member, "PUT", `/api/v1/rooms/${room}/members/me`)).status, 200);

    assert.equal(
      (await api(owner, "PUT", `/api/v1/rooms/${room}/bans/${member.id}`, { durationMs: 60_000 })).status,
      200,
    );
    assert.equal(errorCode(await api(member, "PUT", `/api/v1/rooms/${room}/members/me`)), "banned");
    clock += 60_000;
    assert.equal((await api(member, "PUT", `/api/v1/rooms/${room}/members/me`)).status, 200, "the ban has run out");
    assert.equal(errorCode(await api(mod, "PUT", `/api/v1/rooms/${room}/bans/${owner.id}`)), "insufficient_role");
  });

  it("mutes: the member stays, cannot send (even right after sending, from the cache) until unmuted or expiry", async () => {
    const { room, mod, member } = await club();
    assert.equal((await say(member, room, "before")).status, 201);
    assert.equal(
      (await api(mod, "PUT", `/api/v1/rooms/${room}/mutes/${member.id}`, { durationMs: 30_000 })).status,
      200,
    );
    const refused = await say(member, room, "while muted");
    assert.equal(refused.status, 403);
    assert.equal(errorCode(refused), "muted");
    const seen = (await members(mod, room)).members.find((m) => m.id === member.id);
    assert.equal(seen?.muted, true);
    assert.equal(seen?.mutedUntilMs, clock + 30_000);
    clock += 30_000;
    assert.equal((await say(member, room, "after expiry")).status, 201);
    assert.equal((await api(mod, "PUT", `/api/v1/rooms/${room}/mutes/${member.id}`)).status, 200);
    assert.equal(errorCode(await say(member, room, "muted again")), "muted");
    assert.equal((await api(mod, "DELETE", `/api/v1/rooms/${room}/mutes/${member.id}`)).status, 204);
    assert.equal((await say(member, room, "unmuted")).status, 201);
  });

  it("hands a room on to its longest-standing moderator when the last owner leaves", async () => {
    const { room, owner, mod, member } = await club();
    assert.equal((await api(owner, "DELETE", `/api/v1/rooms/${room}/members/me`)).status, 204);
    assert.equal(await roleOf(member, room, mod.id), "owner");
  });

  it("keeps private rooms to members and invitees: unlisted, invisible, joined once invited", async () => {
    const owner = await register(harness, unique("host"));
    const guest = await register(harness, unique("guest"));
    const stranger = await register(harness, unique("stranger"));
    const room = unique("secret");
    const created = await api(owner, "POST", "/api/v1/rooms", { id: room, name: "Secret", private: true });
    assert.equal(created.status, 201);
    assert.equal((created.body as { room: { kind: string; role: string } }).room.kind, "private");
    const listed = (await api(stranger, "GET", "/api/v1/rooms?limit=200")).body as { rooms: Array<{ id: string }> };
    assert.ok(!listed.rooms.some((r) => r.id === room));
    assert.equal((await api(stranger, "GET", `/api/v1/rooms/${room}`)).status, 404);
    assert.equal(errorCode(await api(stranger, "PUT", `/api/v1/rooms/${room}/members/me`)), "room_not_found");
    const invited = await api(owner, "POST", `/api/v1/rooms/${room}/invitations`, { username: guest.username });
    assert.equal(invited.status, 201);
    const push = await harness.waitForPush(
      (p) => p.members.includes(guest.id) && eventOf(p)?.type === RoomEventType.ROOM_EVENT_TYPE_INVITED,
    );
    assert.equal(eventOf(push)?.room?.roomId, room);
    const mine = (await api(guest, "GET", "/api/v1/me/invitations")).body as {
      invitations: Array<{ room: { id: string }; invitedBy: { id: number } }>;
    };
    assert.deepEqual(
      mine.invitations.map((i) => [i.room.id, i.invitedBy.id]),
      [[room, owner.id]],
    );
    assert.equal((await api(guest, "GET", `/api/v1/rooms/${room}`)).status, 200, "the invitee may look");
    assert.equal((await api(guest, "PUT", `/api/v1/rooms/${room}/members/me`)).status, 200);
    assert.deepEqual(((await api(guest, "GET", "/api/v1/me/invitations")).body as { invitations: [] }).invitations, []);
    assert.equal(
      errorCode(await api(guest, "POST", `/api/v1/rooms/${room}/invitations`, { memberId: stranger.id })),
      "insufficient_role",
    );
    // Kicked from a private room: back only with a new invitation.
    assert.equal((await api(owner, "DELETE", `/api/v1/rooms/${room}/members/${guest.id}`)).status, 204);
    assert.equal(errorCode(await api(guest, "PUT", `/api/v1/rooms/${room}/members/me`)), "room_not_found");
    // Declining an invitation.
    await api(owner, "POST", `/api/v1/rooms/${room}/invitations`, { memberId: stranger.id });
    assert.equal((await api(stranger, "DELETE", `/api/v1/rooms/${room}/invitations/me`)).status, 204);
    assert.equal(errorCode(await api(stranger, "PUT", `/api/v1/rooms/${room}/members/me`)), "room_not_found");
    // Invitations are rate limited per inviter (3 in this harness: guest, stranger, and one more).
    await api(owner, "POST", `/api/v1/rooms/${room}/invitations`, { memberId: guest.id });
    const tooMany = await api(owner, "POST", `/api/v1/rooms/${room}/invitations`, { memberId: stranger.id });
    assert.equal(tooMany.status, 429);
  });

  it("refuses invitations to public rooms and moderation of direct conversations", async () => {
    const { room, owner, member } = await club();
    const other = await register(harness, unique("other"));
    assert.equal(
      errorCode(await api(owner, "POST", `/api/v1/rooms/${room}/invitations`, { memberId: other.id })),
      "bad_request",
    );
    const dm = await api(owner, "POST", `/api/v1/members/${member.id}/messages`, { text: "hi" });
    const dmRoom = (dm.body as { message: { roomId: string } }).message.roomId;
    assert.equal(errorCode(await api(owner, "DELETE", `/api/v1/rooms/${dmRoom}/members/${member.id}`)), "forbidden");
  });

  it("gives the lobby to the configured owners only", async () => {
    const boss = await register(harness, "boss");
    const someone = await register(harness, unique("someone"));
    assert.equal(await roleOf(someone, "lobby", boss.id), "owner");
    assert.equal(await roleOf(someone, "lobby", someone.id), "member");
    assert.equal(
      errorCode(await api(boss, "PUT", `/api/v1/rooms/lobby/members/${someone.id}/role`, { role: "owner" })),
      "forbidden",
    );
    assert.equal(
      (await api(boss, "PUT", `/api/v1/rooms/lobby/members/${someone.id}/role`, { role: "moderator" })).status,
      200,
    );
    assert.equal((await api(boss, "PUT", `/api/v1/rooms/lobby/mutes/${someone.id}`)).status, 200);
  });

  it("answers GET /api/v1/sessions/current with 200 whether or not there is a session", async () => {
    const anonymous = await request(harness, "GET", "/api/v1/sessions/current");
    assert.deepEqual([anonymous.status, anonymous.body], [200, { session: null }]);
    const forged = await request(harness, "GET", "/api/v1/sessions/current", { token: "forged" });
    assert.deepEqual([forged.status, forged.body], [200, { session: null, reason: "unauthorized" }]);
    const account = await register(harness, unique("sess"));
    const signedIn = await request(harness, "GET", "/api/v1/sessions/current", { token: account.token });
    assert.equal(signedIn.status, 200);
    assert.deepEqual((signedIn.body as { session: { member: unknown } }).session.member, {
      id: account.id,
      username: account.username,
    });
  });
});
