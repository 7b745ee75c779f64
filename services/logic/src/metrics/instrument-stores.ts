import type { Stores } from "@chatroom/core";
import { secondsSince } from "@chatroom/core/observability";
import type { LogicMetrics } from "./logic-metrics.ts";

/**
 * The same stores, each call timed into chatroom_logic_store_duration_seconds (label values: the store and the
 * interface's method names, a fixed set). close() is the caller's and is not wrapped.
 */
export function instrumentStores(stores: Stores, metrics: LogicMetrics): Stores {
  return {
    members: timed(stores.members, "members", metrics),
    sessions: timed(stores.sessions, "sessions", metrics),
    rooms: timed(stores.rooms, "rooms", metrics),
    messages: timed(stores.messages, "messages", metrics),
    moderation: timed(stores.moderation, "moderation", metrics),
    close: () => stores.close(),
  };
}

type AnyMethod = (...args: unknown[]) => unknown;

function timed<T extends object>(store: T, name: string, metrics: LogicMetrics): T {
  const wrapped = new Map<string, AnyMethod>();
  return new Proxy(store, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== "function" || typeof property !== "string" || property === "close") return value;
      let method = wrapped.get(property);
      if (!method) {
        const original = value as AnyMethod;
        method = (...args: unknown[]) => {
          const start = process.hrtime.bigint();
          const done = (failed: boolean) => metrics.storeCall(name, property, secondsSince(start), failed);
          let result: unknown;
          try {
            result = original.apply(target, args);
          } catch (error) {
            done(true);
            throw error;
          }
          if (!(result instanceof Promise)) {
            done(false);
            return result;
          }
          return result.then(
            (answer: unknown) => {
              done(false);
              return answer;
            },
            (error: unknown) => {
              done(true);
              throw error;
            },
          );
        };
        wrapped.set(property, method);
      }
      return method;
    },
  });
}
