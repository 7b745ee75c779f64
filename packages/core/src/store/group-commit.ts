import { ChatError } from "../errors.ts";

/** One submitted item waiting for its batch to be written; `write` settles it. */
export interface Pending<I, O> {
  readonly item: I;
  readonly bytes: number;
  resolve(result: O): void;
  reject(error: unknown): void;
}

export interface GroupCommitOptions {
  /** Most items in one batch. */
  maxItems: number;
  /** Most bytes (as given to submit) in one batch; a batch holds at least one item whatever its size. */
  maxBytes?: number;
  /** Deferral of the first batch after an idle period (default setImmediate: after the I/O of this loop turn). */
  schedule?: (start: () => void) => void;
}

/**
 * Group commit: callers submit items one at a time; `write` gets them in batches, one batch at a time, and settles
 * every item of a batch (resolve or reject). Items submitted while a batch is being written wait and form the next
 * batch, so the batch size follows the load with no added delay: an idle queue starts its batch at the end of the
 * current event-loop turn (setImmediate, so that every request read in this turn joins it), a busy one as soon as
 * the previous batch is written.
 *
 * Contract: a batch never starts before the previous one finished, so the order in which batches are written is the
 * submission order; an item `write` leaves unsettled (it threw) is rejected with the error it threw.
 */
export class GroupCommitQueue<I, O> {
  readonly #write: (batch: Pending<I, O>[]) => Promise<void> | void;
  readonly #maxItems: number;
  readonly #maxBytes: number;
  readonly #schedule: (start: () => void) => void;
  #queue: Pending<I, O>[] = [];
  /** The running writer loop; null when idle. */
  #running: Promise<void> | null = null;
  #closed = false;

  constructor(write: (batch: Pending<I, O>[]) => Promise<void> | void, options: GroupCommitOptions) {
    if (!Number.isInteger(options.maxItems) || options.maxItems < 1) throw new RangeError("maxItems must be ≥ 1");
    this.#write = write;
    this.#maxItems = options.maxItems;
    this.#maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
    this.#schedule = options.schedule ?? ((start) => setImmediate(start));
  }

  /** Items waiting for a batch (not counting the batch being written). */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Queues `item`; resolves or rejects once the batch holding it was written. */
  submit(item: I, bytes = 0): Promise<O> {
    if (this.#closed) return Promise.reject(new ChatError("unavailable", "the store is closed"));
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ item, bytes, resolve, reject });
      if (!this.#running) this.#running = this.#run();
    });
  }

  /** Refuses new items and resolves once every submitted item was written (or failed). Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#running) await this.#running;
  }

  async #run(): Promise<void> {
    await new Promise<void>((resolve) => this.#schedule(resolve));
    while (this.#queue.length > 0) {
      const batch = this.#take();
      try {
        await this.#write(batch);
      } catch (error) {
        // Settling a settled promise does nothing: only the items write left pending get the error.
        for (const pending of batch) pending.reject(error);
      }
    }
    this.#running = null;
  }

  #take(): Pending<I, O>[] {
    let count = 0;
    let bytes = 0;
    for (const pending of this.#queue) {
      if (count > 0 && (count >= this.#maxItems || bytes + pending.bytes > this.#maxBytes)) break;
      bytes += pending.bytes;
      count++;
    }
    return this.#queue.splice(0, count);
  }
}
