import { randomBytes } from "node:crypto";

/**
 * Connection keys are `<sessionId>.<random>`: carrying the session id lets any logic instance re-check the session
 * on heartbeat without shared state. A session id is no credential (tokens are HMAC-signed), so exposing the key
 * to the push API and the client is harmless.
 */
export function newConnectionKey(sessionId: string): string {
  return `${sessionId}.${randomBytes(9).toString("base64url")}`;
}

export function sessionIdOfKey(key: string): string | null {
  const dot = key.indexOf(".");
  return dot > 0 ? key.slice(0, dot) : null;
}
