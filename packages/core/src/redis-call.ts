import { createHash } from "node:crypto";
import type { ChainableCommander, Redis } from "ioredis";
import { ChatError } from "./errors.ts";

/** A Lua script run with EVALSHA (ioredis falls back to EVAL when Redis lost its script cache, e.g. a restart). */
export interface RedisScript {
  /** The ioredis command name: unique per script text, so clients shared by several classes never mix them up. */
  readonly name: string;
  readonly lua: string;
  readonly keys: number;
}

type ScriptCall = (...args: Array<string | number>) => Promise<unknown>;

export function redisScript(label: string, lua: string, keys: number): RedisScript {
  const sha = createHash("sha1").update(lua).digest("hex").slice(0, 12);
  return { name: `chatroom_${label}_${sha}`, lua, keys };
}

/** Defines the script on the client (once per client) and on the pipelines it creates afterwards. */
export function defineScripts(redis: Redis, scripts: readonly RedisScript[]): void {
  for (const script of scripts) {
    if (typeof commandOf(redis, script) !== "function") {
      redis.defineCommand(script.name, { lua: script.lua, numberOfKeys: script.keys });
    }
  }
}

export function runScript(redis: Redis, script: RedisScript, args: ReadonlyArray<string | number>): Promise<unknown> {
  const call = commandOf(redis, script);
  if (typeof call !== "function") throw new Error(`script ${script.name} is not defined on this client`);
  return (call as ScriptCall).apply(redis, [...args]);
}

export function queueScript(
  pipeline: ChainableCommander,
  script: RedisScript,
  args: ReadonlyArray<string | number>,
): void {
  const call = commandOf(pipeline, script);
  if (typeof call !== "function") throw new Error(`script ${script.name} is not defined on this pipeline`);
  (call as ScriptCall).apply(pipeline, [...args]);
}

/** Runs a pipeline; the replies in order, or the first failure as a ChatError. */
export async function execPipeline(pipeline: ChainableCommander, what: string): Promise<unknown[]> {
  let results: Array<[Error | null, unknown]> | null;
  try {
    results = await pipeline.exec();
  } catch (error) {
    throw redisFailure(error, what);
  }
  if (!results) throw new ChatError("unavailable", `${what}: the Redis pipeline was discarded`);
  return results.map(([error, reply]) => {
    if (error) throw redisFailure(error, what);
    return reply;
  });
}

/** Runs one Redis call, turning its failure into a ChatError. */
export async function redisCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw redisFailure(error, what);
  }
}

/** Server states in which Redis refuses commands for a while: the caller should retry later. */
const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|READONLY|OOM|TRYAGAIN|CLUSTERDOWN|NOREPLICAS)\b/;

/**
 * A Redis failure as the caller sees it: a connection that is down, a timeout or a server that is temporarily
 * refusing commands is `unavailable` (logic answers 503); any other error reply is a bug here, `internal`.
 */
export function redisFailure(error: unknown, what: string): ChatError {
  if (error instanceof ChatError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const isReply = error instanceof Error && error.name === "ReplyError";
  if (isReply && !TRANSIENT_REPLY.test(message)) {
    return new ChatError("internal", `${what}: Redis replied ${message}`, { cause: error });
  }
  return new ChatError("unavailable", `${what}: Redis is unavailable (${message})`, { cause: error });
}

function commandOf(target: object, script: RedisScript): unknown {
  return (target as Record<string, unknown>)[script.name];
}
