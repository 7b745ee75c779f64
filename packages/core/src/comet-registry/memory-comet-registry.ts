import { ChatError } from "../errors.ts";
import type { Closable } from "../lifecycle.ts";
import { ExpiryQueue } from "../util/expiry-queue.ts";
import type { CometInfo, CometRegistry } from "./comet-registry.ts";

export interface MemoryCometRegistryOptions {
  /** Clock (ms), injectable for tests. */
  now?: () => number;
  /** Longest wait between expiry checks (default 1000 ms); checks also run at each comet's deadline. */
  sweepIntervalMs?: number;
}

type Listener = (comets: CometInfo[]) => void;

/**
 * The embedded CometRegistry. Expiry is noticed by an unref'd timer armed for the earliest deadline (and at
 * least every sweepIntervalMs, so an injected clock is honoured too), and by every read.
 */
export class MemoryCometRegistry implements CometRegistry {
  readonly #now: () => number;
  readonly #sweepIntervalMs: number;
  readonly #comets = new Map<string, CometInfo>();
  readonly #expiry = new ExpiryQueue<string>();
  readonly #listeners = new Set<Listener>();
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(options: MemoryCometRegistryOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#sweepIntervalMs = options.sweepIntervalMs ?? 1000;
  }

  async register(info: CometInfo, ttlMs: number): Promise<void> {
    this.#open();
    const expired = this.#purge();
    const old = this.#comets.get(info.id);
    const copy = { ...info };
    this.#comets.set(info.id, copy);
    this.#expiry.schedule(info.id, this.#now() + ttlMs);
    this.#arm();
    if (expired || !old || !sameInfo(old, copy)) this.#notify();
  }

  async deregister(id: string): Promise<void> {
    this.#open();
    const expired = this.#purge();
    const existed = this.#comets.delete(id);
    this.#expiry.delete(id);
    this.#arm();
    if (expired || existed) this.#notify();
  }

  async list(): Promise<CometInfo[]> {
    this.#open();
    if (this.#purge()) this.#notify();
    return this.#snapshot();
  }

  async watch(listener: Listener): Promise<Closable> {
    this.#open();
    if (this.#purge()) this.#notify();
    this.#listeners.add(listener);
    // Taken when delivered, not now: a change notified in between must not be followed by an older set.
    setImmediate(() => {
      if (this.#listeners.has(listener)) call(listener, this.#snapshot());
    });
    return {
      close: async () => {
        this.#listeners.delete(listener);
      },
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#listeners.clear();
    this.#comets.clear();
    this.#expiry.clear();
  }

  #open(): void {
    if (this.#closed) throw new ChatError("unavailable", "comet registry is closed");
  }

  /** Removes expired comets; true when any was removed. */
  #purge(): boolean {
    const expired = this.#expiry.popExpired(this.#now());
    for (const id of expired) this.#comets.delete(id);
    return expired.length > 0;
  }

  /** Keeps one timer pending for the earliest deadline while any comet is registered. */
  #arm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const next = this.#expiry.peek();
    if (next === undefined || this.#closed) return;
    const delay = Math.min(Math.max(0, next - this.#now()) + 1, this.#sweepIntervalMs);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.#closed) return;
      if (this.#purge()) this.#notify();
      this.#arm();
    }, delay);
    this.#timer.unref();
  }

  #notify(): void {
    const comets = this.#snapshot();
    for (const listener of [...this.#listeners]) call(listener, comets);
  }

  #snapshot(): CometInfo[] {
    return [...this.#comets.values()].map((info) => ({ ...info })).sort((a, b) => (a.id < b.id ? -1 : 1));
  }
}

function sameInfo(a: CometInfo, b: CometInfo): boolean {
  return a.grpcAddress === b.grpcAddress && a.wsUrl === b.wsUrl && a.startedAtMs === b.startedAtMs;
}

function call(listener: Listener, comets: CometInfo[]): void {
  try {
    listener(comets.map((info) => ({ ...info })));
  } catch {
    // One failing watcher must not starve the others.
  }
}
