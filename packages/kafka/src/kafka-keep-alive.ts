/**
 * Heartbeats the consumer group every `intervalMs` while a fetched batch is being processed (slow handlers,
 * retry backoffs), so the member keeps its session and learns of a rebalance without waiting for the batch to end.
 * The first heartbeat failure (kafkajs throws REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION… once the group moves on)
 * stops the ticker, aborts `signal` and is kept in `error` for the caller to rethrow to kafkajs, which rejoins.
 */
export class KeepAlive {
  readonly #heartbeat: () => Promise<void>;
  readonly #intervalMs: number;
  readonly #controller = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #error: unknown;
  #failed = false;

  constructor(heartbeat: () => Promise<void>, intervalMs: number) {
    this.#heartbeat = heartbeat;
    this.#intervalMs = intervalMs;
    this.#schedule();
  }

  /** Aborted once a heartbeat failed. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get failed(): boolean {
    return this.#failed;
  }

  get error(): unknown {
    return this.#error;
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#beat(), this.#intervalMs);
  }

  async #beat(): Promise<void> {
    if (this.#stopped) return;
    try {
      await this.#heartbeat();
    } catch (error) {
      if (this.#stopped) return;
      this.#failed = true;
      this.#error = error;
      this.stop();
      this.#controller.abort(error);
      return;
    }
    this.#schedule();
  }
}

/** Resolves after `ms`, or as soon as any of `signals` aborts. */
export function sleep(ms: number, signals: readonly AbortSignal[]): Promise<void> {
  return new Promise((resolve) => {
    if (signals.some((signal) => signal.aborted)) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      for (const signal of signals) signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    for (const signal of signals) signal.addEventListener("abort", done, { once: true });
  });
}
