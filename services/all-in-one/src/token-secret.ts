import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const TOKEN_SECRET_FILE = "token-secret";

/**
 * The embedded default's token-signing secret: CHATROOM_TOKEN_SECRET when set, else one generated on first start
 * and kept in the data dir (mode 0600), so sessions survive restarts without any set-up.
 */
export function loadOrCreateTokenSecret(dataDir: string, fromEnv: string | undefined): string {
  if (fromEnv) return fromEnv;
  const file = join(dataDir, TOKEN_SECRET_FILE);
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const secret = randomBytes(32).toString("base64url");
    writeFileSync(file, `${secret}\n`, { mode: 0o600 });
    return secret;
  }
}
