import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AuthRequest, encodeFrame, Op } from "@chatroom/proto/protocol";
import { WebSocket } from "ws";
import { type Fixture, register, startFixture, waitFor } from "./support/fixture.ts";

/** Opens a raw socket, runs `act` once it is open, and resolves with the close code and reason. */
function closeOf(url: string, act: (socket: WebSocket) => void): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error("the server did not close the socket"));
    }, 15_000);
    socket.once("open", () => act(socket));
    socket.once("error", () => {});
    socket.once("close", (code, reason) => {
      clearTimeout(timer);
      resolve({ code, reason: reason.toString() });
    });
  });
}

function authFrame(token: string): Uint8Array {
  return encodeFrame(Op.AUTH, 1, AuthRequest.encode({ token, accepts: [], client: "test" }).finish());
}

describe("bad input", () => {
  let fixture: Fixture;
  before(async () => {
    fixture = await startFixture({ CHATROOM_COMET_AUTH_TIMEOUT_MS: "500" });
  });
  after(async () => {
    await fixture.close();
  });

  it("closes the WebSocket with a code and a reason for each kind of bad frame", async () => {
    const url = fixture.wsUrl;
    const text = await closeOf(url, (s) => s.send("hello"));
    assert.equal(text.code, 1003);
    assert.ok(text.reason.length > 0);
    const garbage = await closeOf(url, (s) =>
      s.send(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17])),
    );
    assert.equal(garbage.code, 1002);
    const oversize = await closeOf(url, (s) => s.send(encodeFrame(Op.SEND, 1, new Uint8Array(200 * 1024))));
    assert.equal(oversize.code, 1009);
    const beforeAuth = await closeOf(url, (s) => s.send(encodeFrame(Op.SEND, 1, new Uint8Array(0))));
    assert.equal(beforeAuth.code, 1002);
    const silent = await closeOf(url, () => {});
    assert.equal(silent.code, 4002, "no AUTH within the auth timeout");
  });

  it("refuses missing, forged and revoked tokens on the WebSocket and over HTTP", async () => {
    const person = await register(fixture, "token");
    const url = fixture.wsUrl;
    const missing = await closeOf(url, (s) => s.send(authFrame("")));
    assert.equal(missing.code, 4001);
    const parts = person.token.split(".");
    const last = parts.at(-1) ?? "";
    const forgedToken = [...parts.slice(0, -1), `${last.slice(0, -2)}${last.endsWith("AA") ? "BB" : "AA"}`].join(".");
    const forged = await closeOf(url, (s) => s.send(authFrame(forgedToken)));
    assert.equal(forged.code, 4001);

    const api = `${fixture.app.url}/api/v1/me`;
    assert.equal((await fetch(api)).status, 401);
    const forgedHttp = await fetch(api, { headers: { authorization: `Bearer ${forgedToken}` } });
    assert.equal(forgedHttp.status, 401);
    assert.equal(((await forgedHttp.json()) as { error: { code: string } }).error.code, "unauthorized");

    const tab = await person.connect();
    await person.http.logout();
    await waitFor(() => tab.client.state === "closed", "the live connection to be closed after logout");
    assert.equal(tab.client.closeCode, 4010);
    const revokedHttp = await fetch(api, { headers: { authorization: `Bearer ${person.token}` } });
    assert.equal(revokedHttp.status, 401);
    assert.equal(((await revokedHttp.json()) as { error: { code: string } }).error.code, "session_revoked");
    const revokedWs = await closeOf(url, (s) => s.send(authFrame(person.token)));
    assert.equal(revokedWs.code, 4001);
  });

  it("answers bad HTTP bodies with 4xx and an error code", async () => {
    const person = await register(fixture, "body");
    const post = (path: string, body: string, contentType = "application/json") =>
      fetch(`${fixture.app.url}${path}`, {
        method: "POST",
        headers: { "content-type": contentType, authorization: `Bearer ${person.token}` },
        body,
      });
    const cases: Array<[Response, number, string]> = [
      [await post("/api/v1/rooms/lobby/messages", "{not json"), 400, "bad_request"],
      [await post("/api/v1/rooms/lobby/messages", JSON.stringify({ text: 42 })), 400, "invalid_text"],
      [await post("/api/v1/rooms/lobby/messages", JSON.stringify({ text: "   " })), 400, "invalid_text"],
      [await post("/api/v1/rooms/lobby/messages", JSON.stringify({ text: "bell\u0007" })), 400, "invalid_text"],
      [
        await post("/api/v1/rooms/lobby/messages", JSON.stringify({ text: "x".repeat(4097) })),
        413,
        "payload_too_large",
      ],
      [
        await post("/api/v1/rooms/lobby/messages", JSON.stringify({ text: "y".repeat(200_000) })),
        413,
        "payload_too_large",
      ],
      [await post("/api/v1/rooms/no-such-room/messages", JSON.stringify({ text: "hi" })), 404, "room_not_found"],
      [await post("/api/v1/rooms", JSON.stringify({ id: "Bad Id!", name: "x" })), 400, "invalid_room_id"],
      [await post("/api/v1/accounts", JSON.stringify({ username: "a", password: "short" })), 400, "invalid_username"],
    ];
    for (const [response, status, code] of cases) {
      assert.equal(response.status, status, `${response.url} → ${status}`);
      const body = (await response.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, code);
      assert.ok(body.error.message.length > 0);
    }
  });

  it("stores and returns SQL and HTML strings verbatim, and keeps serving others", async () => {
    const person = await register(fixture, "verbatim");
    const other = await register(fixture, "witness");
    const witness = await other.connect();
    const tab = await person.connect();
    try {
      const texts = [
        "'); DROP TABLE messages; --",
        '<img src=x onerror="alert(1)">',
        'Robert"); DELETE FROM members WHERE ("1"="1',
        "emoji 👩‍💻 and 中文 and tabs\tand\nnewlines",
      ];
      for (const text of texts) await tab.client.send("lobby", text);
      await waitFor(() => texts.every((t) => witness.texts("lobby").includes(t)), "the witness to see every text");
      const page = await other.http.history("lobby", { limit: 200 });
      for (const text of texts)
        assert.ok(
          page.messages.some((m) => m.text === text),
          `history keeps ${text}`,
        );
    } finally {
      await tab.client.close();
      await witness.client.close();
    }
  });
});
