import { ChatError } from "@chatroom/core";
import { type Admin, Kafka, type logCreator, type logLevel } from "kafkajs";
import type { KafkaSecurity } from "./kafka-security.ts";

/** Each attempt gives up fast: readiness asks often and must not pile up calls to a broker that is down. */
const PING_CONNECTION_TIMEOUT_MS = 1000;
const PING_REQUEST_TIMEOUT_MS = 1500;

/**
 * Readiness probe of a Kafka cluster: fetches the topic's metadata through one admin connection kept between
 * probes (no retries; a failed probe drops the connection so that the next one starts afresh).
 */
export class KafkaPing {
  readonly #kafka: Kafka;
  readonly #topic: string;
  #admin: Promise<Admin> | null = null;
  #closed = false;

  constructor(options: {
    brokers: string[];
    clientId: string;
    topic: string;
    logging: { logLevel: logLevel; logCreator: logCreator };
    security?: KafkaSecurity;
  }) {
    this.#topic = options.topic;
    this.#kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      ...options.security,
      connectionTimeout: PING_CONNECTION_TIMEOUT_MS,
      requestTimeout: PING_REQUEST_TIMEOUT_MS,
      retry: { retries: 0 },
      ...options.logging,
    });
  }

  /** Resolves when a broker answers with the topic's metadata; rejects with ChatError("unavailable"). */
  async ping(): Promise<void> {
    if (this.#closed) throw new ChatError("unavailable", "push bus is closed");
    const connecting = this.#connected();
    try {
      const admin = await connecting;
      const { topics } = await admin.fetchTopicMetadata({ topics: [this.#topic] });
      if (!topics.some((t) => t.name === this.#topic && t.partitions.length > 0)) {
        throw new Error(`topic ${this.#topic} has no partitions`);
      }
    } catch (error) {
      if (this.#admin === connecting) this.#admin = null;
      await connecting.then((admin) => admin.disconnect()).catch(() => {});
      const detail = error instanceof Error ? error.message : String(error);
      throw new ChatError("unavailable", `Kafka does not answer: ${detail}`, { cause: error });
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const admin = this.#admin;
    this.#admin = null;
    await admin?.then((a) => a.disconnect()).catch(() => {});
  }

  #connected(): Promise<Admin> {
    if (!this.#admin) {
      const admin = this.#kafka.admin({ retry: { retries: 0 } });
      this.#admin = admin.connect().then(() => admin);
    }
    return this.#admin;
  }
}
