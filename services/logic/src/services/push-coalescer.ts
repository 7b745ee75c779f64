import type { Logger, Presence } from "@chatroom/core";

export interface PushCoalescerOptions {
  presence: Presence;
  /** Keeps this coalescer's windows apart from others' in presence ("online", "read"). */
  namespace: string;
  /** Keys never pushed (changes to them are ignored). */
  skip?: (key: string) => boolean;
  /** At most one push per key per interval, cluster-wide. */
  intervalMs: number;
  /** Reads the state of `key` now and publishes it; failures are logged. */
  push(key: string): Promise<void>;
  logger: Logger;
}

/**
 * Pushes the state of a key (a room's online count, a member's read cursor in a room) after it changed, coalesced
 * across every logic: the first change in a window claims the key's window in presence, and the claimer pushes when
 * the window ends, reading the state then — so a burst of changes costs one push. A change seen while another
 * process holds the window is covered by that process's push.
 */
export class PushCoalescer {
  readonly #options: PushCoalescerOptions;
  /** Keys with a claim under way (null) or a push scheduled by this process. */
  readonly #pending = new Map<string, NodeJS.Timeout | null>();
  #closed = false;

  constructor(options: PushCoalescerOptions) {
    this.#options = options;
  }

  /** Keys whose state may have changed. Never throws and never delays the caller. */
  changed(keys: Iterable<string>): void {
    if (this.#closed) return;
    const fresh: string[] = [];
    for (const key of keys) {
      if (this.#pending.has(key) || this.#options.skip?.(key)) continue;
      this.#pending.set(key, null);
      fresh.push(key);
    }
    if (fresh.length > 0) void this.#claim(fresh);
  }

  close(): void {
    this.#closed = true;
    for (const timer of this.#pending.values()) if (timer) clearTimeout(timer);
    this.#pending.clear();
  }

  async #claim(keys: string[]): Promise<void> {
    const { presence, namespace, intervalMs, logger } = this.#options;
    // The claim ends a little before this process reads the state, so that a change landing in between is not
    // lost: its process claims the next window instead (an extra push, never a missing one).
    const windowMs = Math.max(1, intervalMs - Math.min(50, Math.floor(intervalMs / 10)));
    const prefix = `${namespace}:`;
    let claimed: Set<string>;
    try {
      const windows = await presence.claimPushWindow(
        keys.map((key) => prefix + key),
        windowMs,
      );
      claimed = new Set(windows.map((window) => window.slice(prefix.length)));
    } catch (error) {
      logger.warn({ err: error, namespace, keys: keys.length }, "claiming push windows failed");
      claimed = new Set();
    }
    for (const key of keys) {
      if (this.#closed) return;
      if (!claimed.has(key)) {
        this.#pending.delete(key);
        continue;
      }
      const timer = setTimeout(() => void this.#push(key), intervalMs);
      timer.unref();
      this.#pending.set(key, timer);
    }
  }

  async #push(key: string): Promise<void> {
    this.#pending.delete(key);
    if (this.#closed) return;
    try {
      await this.#options.push(key);
    } catch (error) {
      this.#options.logger.warn({ err: error, namespace: this.#options.namespace, key }, "a coalesced push failed");
    }
  }
}
