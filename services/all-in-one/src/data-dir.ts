import { chmodSync, closeSync, mkdirSync, openSync, statSync } from "node:fs";
import type { Logger } from "@chatroom/core";

/**
 * The embedded default's data dir holds the accounts' password hashes, every message and the token-signing secret:
 * only its owner may read it. A new dir is made 0700; an existing one wider than that is narrowed to it (logged).
 */
export function secureDataDir(dir: string, logger: Logger): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  restrict(dir, 0o700, logger);
}

/**
 * The SQLite database file is created empty (a valid empty database) with mode 0600 before SQLite opens it, and an
 * existing one and its side files are narrowed to 0600. SQLite creates the -wal, -shm and -journal files with the
 * database file's own permissions, so those follow whatever the process's umask is.
 */
export function secureDatabaseFile(path: string, logger: Logger): void {
  closeSync(openSync(path, "a", 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) restrict(file, 0o600, logger);
}

/** Narrows a file or dir to `mode` when it grants more; a missing file is fine, a refused chmod is logged. */
export function restrict(path: string, mode: number, logger: Logger): void {
  let current: number;
  try {
    current = statSync(path).mode & 0o777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  if ((current & ~mode) === 0) return;
  const change = { path, from: current.toString(8), to: mode.toString(8) };
  try {
    chmodSync(path, mode);
    logger.info(change, "narrowed the permissions of a data file to its owner");
  } catch (error) {
    // Not the owner (a volume mounted by someone else): keep running, but say that others may read it.
    logger.warn({ ...change, err: error }, "could not narrow the permissions of a data file; others may read it");
  }
}
