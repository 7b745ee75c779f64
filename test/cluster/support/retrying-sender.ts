import { randomUUID } from "node:crypto";

/** A send the server acknowledged: 201, or 200 with duplicate: true for a retry of a stored one. */
export interface Acknowledged {
  clientMsgId: string;
  roomId: string;
  text: string;
  seq: number;
  duplicate: boolean;
  atMs: number;
}

/** A send the server (or the load balancer) refused, or a request that failed on the network (status 0). */
export interface Refusal {
  clientMsgId: string;
  status: number;
  code: string;
  message: string;
}

interface SendBody {
  message?: { seq?: unknown; clientMsgId?: unknown };
  duplicate?: unknown;
  error?: { code?: unknown; message?: unknown };
}

/**
 * An HTTP client of POST /api/v1/rooms/:id/messages that behaves like a careful app: a send is acknowledged only
 * by a 201 (or the 200 of a retry of a stored message), and a network error, a 5xx or a 429 is retried with the SAME clientMsgId (so the server stores it
 * once) until acknowledged or the deadline passes. Any other refusal is thrown: the test asked for something wrong.
 */
export class RetryingSender {
  readonly acknowledged: Acknowledged[] = [];
  readonly refusals: Refusal[] = [];
  readonly #baseUrl: string;
  readonly #token: string;

  constructor(baseUrl: string, token: string) {
    this.#baseUrl = baseUrl;
    this.#token = token;
  }

  /** One attempt: the acknowledgement, or the refusal (also recorded). */
  async attempt(roomId: string, text: string, clientMsgId: string): Promise<Acknowledged | Refusal> {
    let status = 0;
    let body: SendBody = {};
    try {
      const response = await fetch(`${this.#baseUrl}/api/v1/rooms/${encodeURIComponent(roomId)}/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${this.#token}`, "content-type": "application/json" },
        body: JSON.stringify({ text, clientMsgId }),
        signal: AbortSignal.timeout(15_000),
      });
      status = response.status;
      const raw = await response.text();
      try {
        body = raw ? (JSON.parse(raw) as SendBody) : {};
      } catch {
        body = { error: { code: `http_${status}`, message: raw.slice(0, 200) } };
      }
    } catch (error) {
      const refusal = { clientMsgId, status: 0, code: "network", message: String(error) };
      this.refusals.push(refusal);
      return refusal;
    }
    const acknowledged = status === 201 || (status === 200 && body.duplicate === true);
    if (acknowledged && typeof body.message?.seq === "number") {
      if (body.message.clientMsgId !== clientMsgId) throw new Error(`201 for ${clientMsgId} names another message`);
      const acked = {
        clientMsgId,
        roomId,
        text,
        seq: body.message.seq,
        duplicate: body.duplicate === true,
        atMs: Date.now(),
      };
      this.acknowledged.push(acked);
      return acked;
    }
    const refusal = {
      clientMsgId,
      status,
      code: typeof body.error?.code === "string" ? body.error.code : `http_${status}`,
      message: typeof body.error?.message === "string" ? body.error.message : "",
    };
    this.refusals.push(refusal);
    return refusal;
  }

  /** Retries refused attempts (network, 5xx, 429) with the same clientMsgId until acknowledged. */
  async send(
    roomId: string,
    text: string,
    clientMsgId: string = randomUUID(),
    timeoutMs = 60_000,
  ): Promise<Acknowledged> {
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 0; ; attempt += 1) {
      const outcome = await this.attempt(roomId, text, clientMsgId);
      if ("seq" in outcome) return outcome;
      if (!isRetriable(outcome)) {
        throw new Error(`send ${clientMsgId} refused for good: ${outcome.status} ${outcome.code} ${outcome.message}`);
      }
      if (Date.now() > deadline) {
        throw new Error(`send ${clientMsgId} not acknowledged within ${timeoutMs} ms; last: ${outcome.code}`);
      }
      // Backoff between retries (a client's, not a wait for an event): 50 ms doubling up to 500 ms.
      await new Promise((resolve) => setTimeout(resolve, Math.min(500, 50 * 2 ** Math.min(attempt, 4))));
    }
  }
}

export function isRetriable(refusal: Refusal): boolean {
  return refusal.status === 0 || refusal.status === 429 || refusal.status >= 500;
}
