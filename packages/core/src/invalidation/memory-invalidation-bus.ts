import { ChatError } from "../errors.ts";
import type { InvalidationBus, InvalidationHandler } from "./invalidation-bus.ts";

/**
 * The embedded InvalidationBus: one process, handlers called on the next microtask. Buses made with the same `hub`
 * share their messages (how the contract suite models several processes); only a single node otherwise.
 */
export class MemoryInvalidationBus implements InvalidationBus {
  readonly #hub: MemoryInvalidationHub;
  readonly #own = new Set<{ topic: string; handler: InvalidationHandler }>();
  #closed = false;

  constructor(hub: MemoryInvalidationHub = new MemoryInvalidationHub()) {
    this.#hub = hub;
  }

  async publish(topic: string, key: string): Promise<void> {
    if (this.#closed) throw new ChatError("unavailable", "the invalidation bus is closed");
    this.#hub.deliver(topic, key);
  }

  subscribe(topic: string, handler: InvalidationHandler): () => void {
    const entry = { topic, handler };
    this.#own.add(entry);
    const off = this.#hub.add(topic, handler);
    return () => {
      this.#own.delete(entry);
      off();
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const { topic, handler } of this.#own) this.#hub.remove(topic, handler);
    this.#own.clear();
  }
}

/** The medium MemoryInvalidationBus instances share. */
export class MemoryInvalidationHub {
  readonly #handlers = new Map<string, Set<InvalidationHandler>>();

  add(topic: string, handler: InvalidationHandler): () => void {
    let set = this.#handlers.get(topic);
    if (!set) {
      set = new Set();
      this.#handlers.set(topic, set);
    }
    set.add(handler);
    return () => this.remove(topic, handler);
  }

  remove(topic: string, handler: InvalidationHandler): void {
    this.#handlers.get(topic)?.delete(handler);
  }

  deliver(topic: string, key: string): void {
    for (const handler of this.#handlers.get(topic) ?? []) {
      queueMicrotask(() => {
        try {
          handler(key);
        } catch {
          // A throwing handler must not stop the others (contract).
        }
      });
    }
  }
}
