import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type Logger,
  MemoryPresence,
  MemoryPushBus,
  MemoryRateLimiter,
  openSqliteStores,
  type Presence,
  type PushBus,
  type Stores,
} from "@chatroom/core";
import type { PushMsg } from "@chatroom/proto/grpc";
import express from "express";
import { createLogic, type Logic, type LogicConfig, loadLogicConfig, trustProxySetting } from "../src/index.ts";

export const TEST_SECRET = "test-secret-that-is-long-enough-0123456789";
export const API_KEY = "test-api-key";

/** Logic over the embedded backends, its HTTP API on a real server at 127.0.0.1:<ephemeral>. */
export interface Harness {
  baseUrl: string;
  logic: Logic;
  stores: Stores;
  presence: Presence;
  bus: PushBus;
  config: LogicConfig;
  /** Every push published since start, in publish order per partition. */
  published: PushMsg[];
  /** Resolves with the first published push matching, waiting for it if needed. */
  waitForPush(match: (push: PushMsg) => boolean, timeoutMs?: number): Promise<PushMsg>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Where logic logs (default: nowhere). */
  logger?: Logger;
  /** Logic's clock (default Date.now): tests of expiries move it. */
  now?: () => number;
}

export async function startHarness(
  overrides: Partial<LogicConfig> = {},
  options: HarnessOptions = {},
): Promise<Harness> {
  // Every test account is registered from 127.0.0.1: the registration throttle is tested with its own override.
  const config = loadLogicConfig(
    {},
    { tokenSecret: TEST_SECRET, apiKeys: [API_KEY], registerRateCapacity: 1000, ...overrides },
  );
  const stores = openSqliteStores({ path: ":memory:" });
  const presence = new MemoryPresence();
  const bus = new MemoryPushBus();
  const rateLimiter = new MemoryRateLimiter();
  const published: PushMsg[] = [];
  const waiters = new Set<() => void>();
  const subscription = await bus.subscribe("logic-test", async (batch) => {
    published.push(...batch.messages);
    for (const wake of waiters) wake();
  });
  const logic = await createLogic({
    stores,
    presence,
    bus,
    rateLimiter,
    config,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const app = express();
  // As the processes do (logic's main, the all-in-one): CHATROOM_TRUST_PROXY decides whose X-Forwarded-* counts.
  app.set("trust proxy", trustProxySetting(config.trustProxy));
  app.use(logic.http);
  const server: Server = createServer(app);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    logic,
    stores,
    presence,
    bus,
    config,
    published,
    async waitForPush(match, timeoutMs = 5000) {
      const found = () => published.find(match);
      const now = found();
      if (now) return now;
      return new Promise<PushMsg>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error("no matching push was published"));
        }, timeoutMs);
        const check = () => {
          const push = found();
          if (!push) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(push);
        };
        waiters.add(check);
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await logic.close();
      await subscription.close();
      await bus.close();
      await presence.close();
      await rateLimiter.close();
      await stores.close();
    },
  };
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON body, or null when there is none. */
  body: unknown;
}

export interface RequestOptions {
  token?: string;
  json?: unknown;
  /** Sent as is, with the given content type. */
  raw?: { body: string | Uint8Array; contentType: string };
  headers?: Record<string, string>;
}

export async function request(
  harness: Pick<Harness, "baseUrl">,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | Uint8Array<ArrayBuffer> | undefined;
  if (options.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(options.json);
  } else if (options.raw) {
    headers["content-type"] = options.raw.contentType;
    body = typeof options.raw.body === "string" ? options.raw.body : new Uint8Array(options.raw.body);
  }
  const response = await fetch(`${harness.baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? parseJson(text) : null };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export interface Account {
  id: number;
  username: string;
  token: string;
}

export async function register(harness: Pick<Harness, "baseUrl">, username: string): Promise<Account> {
  const response = await request(harness, "POST", "/api/v1/accounts", {
    json: { username, password: "correct horse battery" },
  });
  if (response.status !== 201)
    throw new Error(`register ${username}: ${response.status} ${JSON.stringify(response.body)}`);
  const body = response.body as { member: { id: number; username: string }; token: string };
  return { id: body.member.id, username: body.member.username, token: body.token };
}

/** The `error.code` of an error response. */
export function errorCode(response: ApiResponse): string | undefined {
  return (response.body as { error?: { code?: string } } | null)?.error?.code;
}
