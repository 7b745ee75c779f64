import type { Closable } from "../lifecycle.ts";

/** Told that the entry `key` of a topic is stale, or (null) that anything of the topic may be stale. */
export type InvalidationHandler = (key: string | null) => void;

/**
 * Tells every process sharing it that a cached entry is stale — a session was revoked, a membership ended — so that
 * caches in front of the stores can be kept for seconds without serving what was just taken away.
 *
 * Contract:
 * - publish(topic, key) reaches every handler subscribed to the topic in every process sharing the bus, the
 *   publisher's own included, normally within milliseconds; it resolves once the message is handed to the medium.
 * - Delivery is best effort, at most once: a message published while a process is disconnected is lost to it. After
 *   such a gap (a reconnect) the handlers are called with null: "anything may be stale". Caches must still expire
 *   entries by time, which bounds how long a lost message can matter.
 * - Handlers run asynchronously, never inside publish(); a throwing handler does not stop the others.
 */
export interface InvalidationBus extends Closable {
  publish(topic: string, key: string): Promise<void>;
  /** Returns the function that unsubscribes this handler. */
  subscribe(topic: string, handler: InvalidationHandler): () => void;
}
