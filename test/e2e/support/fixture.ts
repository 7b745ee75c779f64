import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Chatroom, startChatroom } from "@chatroom/all-in-one";
import { ChatClient, type ChatClientOptions, ChatHttp, type ChatMessage } from "@chatroom/client";
import { waitFor } from "@chatroom/core/testing";

/** Settings that make the all-in-one quick to observe in tests (short heartbeats and online refresh). */
export const FAST_ENV: Record<string, string> = {
  CHATROOM_HEARTBEAT_INTERVAL_MS: "1000",
  CHATROOM_PRESENCE_TTL_MS: "5000",
  CHATROOM_COMET_RENEW_ONLINE_INTERVAL_MS: "200",
  // Rate limits are tested on their own (services/logic); these tests send in bursts and register many accounts
  // from one address.
  CHATROOM_SEND_RATE_CAPACITY: "1000",
  CHATROOM_REGISTER_RATE_CAPACITY: "1000",
  CHATROOM_ROOM_CREATE_RATE_CAPACITY: "1000",
};

export interface Fixture {
  app: Chatroom;
  dataDir: string;
  wsUrl: string;
  close(): Promise<void>;
}

/** An all-in-one server on an ephemeral port over a fresh data dir. */
export async function startFixture(env: Record<string, string> = {}, dataDir?: string): Promise<Fixture> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), "chatroom-e2e-"));
  const app = await startChatroom({ env: { ...FAST_ENV, ...env }, port: 0, host: "127.0.0.1", dataDir: dir });
  return {
    app,
    dataDir: dir,
    wsUrl: `${app.url.replace(/^http/, "ws")}/ws`,
    async close() {
      await app.close();
      if (!dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

let counter = 0;

/** A unique valid username. */
export function username(prefix = "user"): string {
  counter += 1;
  return `${prefix}${process.pid}x${counter}`;
}

export interface Person {
  http: ChatHttp;
  memberId: number;
  name: string;
  token: string;
  /** Connects a new SDK client (a new tab/device of this person) and collects what it receives. */
  connect(options?: Partial<ChatClientOptions>): Promise<Tab>;
}

export interface Tab {
  client: ChatClient;
  messages: ChatMessage[];
  /** seqs received in a room, in delivery order. */
  seqs(roomId: string): number[];
  texts(roomId: string): string[];
}

export async function register(fixture: Fixture, prefix = "user"): Promise<Person> {
  const http = new ChatHttp({ baseUrl: fixture.app.url });
  const name = username(prefix);
  const result = await http.register(name, "correct horse battery");
  const tabs: ChatClient[] = [];
  return {
    http,
    memberId: result.member.id,
    name,
    token: result.token,
    async connect(options = {}) {
      const client = new ChatClient({
        url: fixture.wsUrl,
        token: result.token,
        reconnect: { initialDelayMs: 50, maxDelayMs: 500 },
        ...options,
      });
      const messages: ChatMessage[] = [];
      client.on("message", (m) => messages.push(m));
      tabs.push(client);
      await client.connect();
      return {
        client,
        messages,
        seqs: (roomId) => messages.filter((m) => m.roomId === roomId).map((m) => m.seq),
        texts: (roomId) => messages.filter((m) => m.roomId === roomId).map((m) => m.text),
      };
    },
  };
}

/** The shared polling helper (@chatroom/core/testing), re-exported for the e2e tests. */
export { waitFor };
