import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ChatError } from "@chatroom/core";
import { validatePassword, validateUsername } from "../src/auth/credentials.ts";
import { validatePublicRoomId, validateRoomId } from "../src/services/room-ids.ts";
import { validateClientMsgId, validateText } from "../src/services/text.ts";

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return error instanceof ChatError ? error.code : "not a ChatError";
  }
  return undefined;
}

describe("message text validation", () => {
  it("returns valid text unchanged, surrounding blanks, newlines, tabs and markup included", () => {
    for (const text of ["hi", "  padded  ", "two\nlines", "a\tb", "<script>alert(1)</script>", "'; DROP TABLE x;--"]) {
      assert.equal(validateText(text, 4096), text);
    }
  });

  it("refuses empty and blank text as invalid_text", () => {
    for (const text of ["", " ", "\n\t ", "\u3000"])
      assert.equal(
        codeOf(() => validateText(text, 4096)),
        "invalid_text",
      );
  });

  it("refuses control characters other than newline and tab as invalid_text", () => {
    for (const text of ["a\u0000b", "a\rb", "bell\u0007", "esc\u001b[0m", "del\u007f", "c1\u0085"]) {
      assert.equal(
        codeOf(() => validateText(text, 4096)),
        "invalid_text",
        JSON.stringify(text),
      );
    }
  });

  it("refuses non-strings and lone surrogates as invalid_text", () => {
    assert.equal(
      codeOf(() => validateText(42, 4096)),
      "invalid_text",
    );
    assert.equal(
      codeOf(() => validateText(undefined, 4096)),
      "invalid_text",
    );
    assert.equal(
      codeOf(() => validateText("bad \ud800 half", 4096)),
      "invalid_text",
    );
  });

  it("counts the limit in UTF-8 bytes and refuses longer text as payload_too_large", () => {
    assert.equal(validateText("a".repeat(4096), 4096).length, 4096);
    assert.equal(
      codeOf(() => validateText("a".repeat(4097), 4096)),
      "payload_too_large",
    );
    // "é" is two bytes: 2048 of them fill 4096 bytes exactly, one more does not fit.
    assert.equal(validateText("é".repeat(2048), 4096).length, 2048);
    assert.equal(
      codeOf(() => validateText("é".repeat(2049), 4096)),
      "payload_too_large",
    );
    assert.equal(
      codeOf(() => validateText("😀".repeat(1025), 4096)),
      "payload_too_large",
    );
  });

  it("accepts client message ids of 1–64 printable ASCII characters and treats empty as none", () => {
    assert.equal(validateClientMsgId("abc-123"), "abc-123");
    assert.equal(validateClientMsgId(""), undefined);
    assert.equal(validateClientMsgId(undefined), undefined);
    assert.equal(
      codeOf(() => validateClientMsgId("x".repeat(65))),
      "bad_request",
    );
    assert.equal(
      codeOf(() => validateClientMsgId("has space")),
      "bad_request",
    );
    assert.equal(
      codeOf(() => validateClientMsgId(7)),
      "bad_request",
    );
  });
});

describe("credential validation", () => {
  it("accepts usernames of 3–32 letters, digits, '_', '.', '-'", () => {
    for (const name of ["bob", "Alice_1", "a.b-c", "x".repeat(32)]) assert.equal(validateUsername(name), name);
  });

  it("refuses other usernames as invalid_username", () => {
    for (const name of ["ab", "x".repeat(33), "has space", "émile", "a/b", "", 12, null]) {
      assert.equal(
        codeOf(() => validateUsername(name)),
        "invalid_username",
        String(name),
      );
    }
  });

  it("accepts passwords of 8–128 characters and refuses others as invalid_password", () => {
    assert.equal(validatePassword("Tr0ub4dor&3"), "Tr0ub4dor&3");
    assert.equal(validatePassword("gV7#qL2!".repeat(16)).length, 128);
    for (const password of ["x7#kQ2v", "gV7#qL2!".repeat(16).concat("z"), 12345678, undefined]) {
      assert.equal(
        codeOf(() => validatePassword(password)),
        "invalid_password",
        String(password),
      );
    }
  });
});

describe("room id validation", () => {
  it("accepts public ids and canonical direct ids", () => {
    assert.equal(validatePublicRoomId("lobby"), "lobby");
    assert.equal(validatePublicRoomId("a".repeat(64)), "a".repeat(64));
    assert.equal(validateRoomId("dm:2:10"), "dm:2:10");
  });

  it("refuses anything else as invalid_room_id", () => {
    for (const id of ["", "Lobby", "-x", "a".repeat(65), "has space", "dm:1:2", "room/x"]) {
      assert.equal(
        codeOf(() => validatePublicRoomId(id)),
        "invalid_room_id",
        id,
      );
    }
    for (const id of ["dm:10:2", "dm:3:3", "dm:01:2", "dm:1", "DM:1:2"]) {
      assert.equal(
        codeOf(() => validateRoomId(id)),
        "invalid_room_id",
        id,
      );
    }
  });
});
