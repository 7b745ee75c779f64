import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isChatError } from "@chatroom/core";
import { validatePassword } from "../src/auth/credentials.ts";
import { weakPasswordReason } from "../src/auth/password-policy.ts";

/** The invalid_password message validatePassword gives, or null when it accepts the password. */
function refusal(password: string, username = "alice"): string | null {
  try {
    validatePassword(password, username);
    return null;
  } catch (error) {
    assert.ok(isChatError(error) && error.code === "invalid_password", String(error));
    return error.message;
  }
}

function assertRefused(passwords: string[], reason: RegExp): void {
  for (const password of passwords) assert.match(refusal(password) ?? "(accepted)", reason, password);
}

describe("the password policy", () => {
  it("accepts passphrases and random passwords", () => {
    for (const password of [
      "correct horse battery",
      "purple monkey dishwasher",
      "sailing by moonlit bays",
      "Tr0ub4dor&3",
      "gV7#qL2!mZ9p",
      "k8s-rocks-daily",
      "bench password 123",
    ]) {
      assert.equal(refusal(password), null, password);
    }
  });

  it("refuses common passwords, also with case, digits and symbols around them, leetspeak or spaces", () => {
    assertRefused(
      [
        "password",
        "Password1!",
        "P@ssw0rd",
        "@dmin123",
        "iloveyou",
        "I Love You",
        "Dragon2024!",
        "2024monkey",
        "sunshine",
        "trustno1",
        "football",
        "correcthorsebatterystaple",
      ],
      /too common/,
    );
  });

  it("refuses one character repeated and a short pattern repeated", () => {
    assertRefused(["aaaaaaaa", "ZZZZZZZZZZZZ", "........"], /one character repeated/);
    assertRefused(["abababab", "xyzxyzxyzx", "q1w!q1w!q1w!"], /short pattern repeated/);
  });

  it("refuses simple sequences of letters or digits, up or down, digits wrapping around", () => {
    // Common ones (12345678, abcdefgh) are caught by the list first; these are not in it.
    assertRefused(["23456789", "7890123456", "bcdefghij", "zyxwvuts", "13579135", "acegikmo"], /simple sequence/);
    assert.match(refusal("12345678") ?? "", /too common|simple sequence/);
    assert.match(refusal("abcdefgh") ?? "", /too common|simple sequence/);
  });

  it("refuses keyboard walks, also in strips and with shift held", () => {
    assertRefused(["poiuytre", "wertyuio", "lkjhgfds", "!QAZ@WSX", "3edc4rfv", "zaqwsxcde", "mnbvcxz,"], /keyboard/);
    assert.match(refusal("qwertyui") ?? "", /too common|keyboard/);
  });

  it("refuses a password equal to or containing the username, in any case or reversed", () => {
    assertRefused(
      ["alice", "Alice2024!", "my name is ALICE", "ecila-rules"].map((p) => p.padEnd(8, "#")),
      /username/,
    );
    assert.equal(weakPasswordReason("Alice2024!", "bob"), null, "no username rule without that username");
  });

  it("keeps the length rule of 8–128 characters", () => {
    assert.match(refusal("x7#kQ2v") ?? "", /8–128 characters/);
    assert.match(refusal(`${"gV7#qL2!".repeat(16)}z`) ?? "", /8–128 characters/);
  });
});
