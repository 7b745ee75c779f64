import assert from "node:assert/strict";
import { type ChatClient, ChatClientError } from "@chatroom/client";

export interface SendUntilAckedOptions {
  /** Refusal codes a careful app retries with the same clientMsgId (default: `unavailable`). */
  retriable?: ReadonlySet<string>;
  /** Give up (rethrow the refusal) after this long (default 30 s). */
  deadlineMs?: number;
  /** Pause between attempts (default 100 ms). */
  pauseMs?: number;
}

export interface Acked {
  seq: number;
  duplicate: boolean;
  /** Refusals retried before the acknowledgement. */
  retries: number;
}

const UNAVAILABLE: ReadonlySet<string> = new Set(["unavailable"]);

/**
 * Sends over the WebSocket until acknowledged, retrying retriable refusals with the same clientMsgId (so the server
 * stores it once); any other refusal, or one past the deadline, is thrown.
 */
export async function sendUntilAcked(
  client: ChatClient,
  room: string,
  text: string,
  clientMsgId: string,
  options: SendUntilAckedOptions = {},
): Promise<Acked> {
  const retriable = options.retriable ?? UNAVAILABLE;
  const deadline = Date.now() + (options.deadlineMs ?? 30_000);
  for (let retries = 0; ; retries += 1) {
    try {
      const reply = await client.send(room, text, { clientMsgId });
      assert.equal(reply.message?.clientMsgId, clientMsgId);
      return { seq: reply.message?.seq ?? 0, duplicate: reply.duplicate, retries };
    } catch (error) {
      if (!(error instanceof ChatClientError && retriable.has(error.code)) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, options.pauseMs ?? 100));
    }
  }
}
