// The push bus against a Kafka listener that requires SCRAM-SHA-512 — what the chart's Strimzi Kafka runs
// (kafka.strimzi.authentication) with a KafkaUser per service: configured through CHATROOM_KAFKA_SASL_MECHANISM,
// CHATROOM_KAFKA_USERNAME and CHATROOM_KAFKA_PASSWORD, logic publishes and job consumes; without the credentials, or
// with wrong ones, the bus does not open.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { loadBackendConfig, openBus } from "@chatroom/backends";
import { eventually, pushMsg, uniqueSuffix } from "@chatroom/core/testing";
import { KafkaBroker } from "../cluster/support/kafka-broker.ts";

const USER = { username: "chatroom-logic", password: `secret-${uniqueSuffix()}` };

describe("the push bus on a SCRAM-SHA-512 Kafka listener", { timeout: 180_000 }, () => {
  let broker: KafkaBroker;
  before(async () => {
    broker = await KafkaBroker.start({ scram: USER });
  });
  after(async () => {
    await broker?.destroy();
  });

  const env = (extra: Record<string, string>) => ({
    CHATROOM_BUS: "kafka",
    CHATROOM_KAFKA_BROKERS: broker.brokers.join(","),
    CHATROOM_KAFKA_TOPIC: `scram-${uniqueSuffix()}`,
    CHATROOM_KAFKA_PARTITIONS: "1",
    ...extra,
  });

  it("publishes and consumes with the user's credentials", async () => {
    const config = loadBackendConfig(
      env({
        CHATROOM_KAFKA_SASL_MECHANISM: "scram-sha-512",
        CHATROOM_KAFKA_USERNAME: USER.username,
        CHATROOM_KAFKA_PASSWORD: USER.password,
      }),
    );
    const bus = await openBus(config, { clientId: "scram-test" });
    try {
      const received: string[] = [];
      const subscription = await bus.subscribe(`g-${uniqueSuffix()}`, async (batch) => {
        received.push(...batch.messages.map((m) => m.room));
      });
      await bus.publish(pushMsg({ room: "authenticated", id: "a#1" }));
      await eventually(() => assert.deepEqual(received, ["authenticated"]), 30_000);
      await subscription.close();
    } finally {
      await bus.close();
    }
  });

  it("does not open without credentials, or with a wrong password", async () => {
    await assert.rejects(openBus(loadBackendConfig(env({}))), /unavailable|Kafka|connect|closed/i);
    const wrong = env({
      CHATROOM_KAFKA_SASL_MECHANISM: "scram-sha-512",
      CHATROOM_KAFKA_USERNAME: USER.username,
      CHATROOM_KAFKA_PASSWORD: "not-the-password",
    });
    await assert.rejects(openBus(loadBackendConfig(wrong)), /unavailable|SASL|authentication/i);
  });

  it("refuses a mechanism without a user name and password at start, naming the variables", () => {
    assert.throws(
      () => loadBackendConfig(env({ CHATROOM_KAFKA_SASL_MECHANISM: "scram-sha-512" })),
      /CHATROOM_KAFKA_SASL_MECHANISM=scram-sha-512 needs CHATROOM_KAFKA_USERNAME and CHATROOM_KAFKA_PASSWORD/,
    );
  });
});
