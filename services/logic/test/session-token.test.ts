import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ChatError, type Member, openSqliteStores, type Stores } from "@chatroom/core";
import { Authenticator } from "../src/auth/authenticator.ts";
import { newSessionId, SessionTokens } from "../src/auth/session-token.ts";

const SECRET = "0123456789abcdef0123456789abcdef";
const NOW = 1_700_000_000_000;

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return error instanceof ChatError ? error.code : "not a ChatError";
  }
  return undefined;
}

async function asyncCodeOf(action: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await action();
  } catch (error) {
    return error instanceof ChatError ? error.code : "not a ChatError";
  }
  return undefined;
}

describe("session tokens", () => {
  const tokens = new SessionTokens(SECRET);
  const claims = { sessionId: newSessionId(), expiresAtMs: NOW + 60_000 };

  it("have the form v1.<sessionId>.<expiresAtMs>.<base64url HMAC> and verify to their claims", () => {
    const token = tokens.sign(claims);
    assert.match(token, /^v1\.[A-Za-z0-9_-]+\.\d+\.[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(tokens.verify(token, NOW), claims);
  });

  it("are refused as unauthorized when signed with another secret", () => {
    const forged = new SessionTokens("another-secret-another-secret-0000").sign(claims);
    assert.equal(
      codeOf(() => tokens.verify(forged, NOW)),
      "unauthorized",
    );
  });

  it("are refused as unauthorized when the expiry or session id was changed after signing", () => {
    const token = tokens.sign(claims);
    const [, id, , mac] = token.split(".");
    assert.equal(
      codeOf(() => tokens.verify(`v1.${id}.${NOW + 999_999}.${mac}`, NOW)),
      "unauthorized",
    );
    assert.equal(
      codeOf(() => tokens.verify(`v1.${newSessionId()}.${claims.expiresAtMs}.${mac}`, NOW)),
      "unauthorized",
    );
  });

  it("are refused as unauthorized when malformed", () => {
    for (const bad of ["", "v1", "v2.abc.1.sig", "v1.a.b.c", `${tokens.sign(claims)}x`, "Bearer x"]) {
      assert.equal(
        codeOf(() => tokens.verify(bad, NOW)),
        "unauthorized",
        bad,
      );
    }
  });

  it("are refused as token_expired once their expiry has passed, even with a valid signature", () => {
    const token = tokens.sign(claims);
    assert.equal(
      codeOf(() => tokens.verify(token, claims.expiresAtMs)),
      "token_expired",
    );
  });
});

describe("the authenticator", () => {
  let stores: Stores;
  let member: Member;
  let now = NOW;
  const tokens = new SessionTokens(SECRET);
  let authenticator: Authenticator;

  before(async () => {
    stores = openSqliteStores({ path: ":memory:" });
    member = await stores.members.create({ username: "alice", passwordHash: "x", createdAtMs: NOW });
    authenticator = new Authenticator(tokens, stores.sessions, () => now);
  });
  after(() => stores.close());

  async function newSession(expiresAtMs: number) {
    const session = await stores.sessions.create({
      id: newSessionId(),
      memberId: member.id,
      createdAtMs: NOW,
      expiresAtMs,
    });
    return { session, token: tokens.sign({ sessionId: session.id, expiresAtMs }) };
  }

  it("returns the live session behind a valid token", async () => {
    const { session, token } = await newSession(NOW + 60_000);
    const found = await authenticator.authenticate(token);
    assert.equal(found.id, session.id);
    assert.equal(found.memberId, member.id);
  });

  it("refuses a missing token as unauthorized", async () => {
    assert.equal(await asyncCodeOf(() => authenticator.authenticate(undefined)), "unauthorized");
    assert.equal(await asyncCodeOf(() => authenticator.authenticate("")), "unauthorized");
  });

  it("refuses a revoked session as session_revoked", async () => {
    const { session, token } = await newSession(NOW + 60_000);
    await stores.sessions.revoke(session.id, NOW);
    assert.equal(await asyncCodeOf(() => authenticator.authenticate(token)), "session_revoked");
  });

  it("refuses a correctly signed token whose session does not exist as session_revoked", async () => {
    const token = tokens.sign({ sessionId: newSessionId(), expiresAtMs: NOW + 60_000 });
    assert.equal(await asyncCodeOf(() => authenticator.authenticate(token)), "session_revoked");
  });

  it("refuses the token as token_expired once time passes its expiry", async () => {
    const { token } = await newSession(NOW + 60_000);
    now = NOW + 60_000;
    try {
      assert.equal(await asyncCodeOf(() => authenticator.authenticate(token)), "token_expired");
    } finally {
      now = NOW;
    }
  });
});
