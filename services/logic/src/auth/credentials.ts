import { ChatError } from "@chatroom/core";
import { weakPasswordReason } from "./password-policy.ts";

const USERNAME = /^[A-Za-z0-9_.-]{3,32}$/;
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 128;

export function validateUsername(username: unknown): string {
  if (typeof username !== "string" || !USERNAME.test(username)) {
    throw new ChatError("invalid_username", "username must be 3–32 characters of letters, digits, '_', '.' or '-'");
  }
  return username;
}

/**
 * A new password: 8–128 characters (code points, so any script is allowed) that the policy does not find too easy
 * to guess (password-policy.ts), given the username it is for. Logins never apply the policy, so an account with an
 * older, weaker password can still log in.
 */
export function validatePassword(password: unknown, username?: string): string {
  if (typeof password !== "string") throw new ChatError("invalid_password", "password must be a string");
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH || length > MAX_PASSWORD_LENGTH) {
    throw new ChatError(
      "invalid_password",
      `password must be ${MIN_PASSWORD_LENGTH}–${MAX_PASSWORD_LENGTH} characters long`,
    );
  }
  const weakness = weakPasswordReason(password, username);
  if (weakness !== null) throw new ChatError("invalid_password", weakness);
  return password;
}
