import { ChatClientError } from "./chat-client-error.ts";

/** Timer functions, injectable so that tests can drive time. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

interface Pending {
  op: number;
  resolve(body: Uint8Array): void;
  reject(error: Error): void;
  timer: unknown;
}

/** The largest frame seq; after it the counter wraps to 1 (0 is the seq of server pushes). */
const MAX_SEQ = 0x7fff_ffff;

/**
 * Request/reply correlation by frame seq: every request gets a fresh seq; the reply (op + 1, or OP_ERROR) with
 * the same seq settles it; a timeout rejects it with code "timeout".
 */
export class PendingRequests {
  readonly #pending = new Map<number, Pending>();
  readonly #timers: Timers;
  #nextSeq = 1;

  constructor(timers: Timers = realTimers, firstSeq = 1) {
    this.#timers = timers;
    this.#nextSeq = firstSeq;
  }

  get size(): number {
    return this.#pending.size;
  }

  /** A seq for a frame that expects no tracked reply (heartbeats). */
  nextSeq(): number {
    for (;;) {
      const seq = this.#nextSeq;
      this.#nextSeq = seq >= MAX_SEQ ? 1 : seq + 1;
      if (!this.#pending.has(seq)) return seq;
    }
  }

  /** Registers a request; returns its seq and a promise of the reply body. */
  add(op: number, timeoutMs: number): { seq: number; reply: Promise<Uint8Array> } {
    const seq = this.nextSeq();
    const reply = new Promise<Uint8Array>((resolve, reject) => {
      const timer = this.#timers.setTimeout(() => {
        this.#pending.delete(seq);
        reject(new ChatClientError("timeout", `no reply to op ${op} within ${timeoutMs} ms`, { requestOp: op }));
      }, timeoutMs);
      this.#pending.set(seq, { op, resolve, reject, timer });
    });
    return { seq, reply };
  }

  /** Settles the request with this seq if the reply's op matches (op + 1); false when nothing was waiting. */
  resolve(seq: number, op: number, body: Uint8Array): boolean {
    const pending = this.#pending.get(seq);
    if (!pending || op !== pending.op + 1) return false;
    this.#settle(seq, pending);
    pending.resolve(body);
    return true;
  }

  /** Rejects the request with this seq; false when nothing was waiting. */
  reject(seq: number, error: Error): boolean {
    const pending = this.#pending.get(seq);
    if (!pending) return false;
    this.#settle(seq, pending);
    pending.reject(error);
    return true;
  }

  opOf(seq: number): number | undefined {
    return this.#pending.get(seq)?.op;
  }

  rejectAll(error: () => Error): void {
    for (const [seq, pending] of [...this.#pending]) {
      this.#settle(seq, pending);
      pending.reject(error());
    }
  }

  #settle(seq: number, pending: Pending): void {
    this.#timers.clearTimeout(pending.timer);
    this.#pending.delete(seq);
  }
}
