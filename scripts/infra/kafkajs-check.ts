// Checks kafkajs (unmaintained since 2.2.4) against the broker at KAFKA_BROKERS (default 127.0.0.1:19092, see
// kafka.sh): the protocol versions kafkajs would pick versus what the broker accepts (Kafka 4.0 removed old versions,
// KIP-896), then the calls the distributed PushBus needs: admin create/describe/offsets, an idempotent producer
// (acks -1), a consumer group (join/sync/heartbeat/fetch/commit, a second member's rebalance, restart from the
// committed offset). Prints one line per step and exits 1 when any step failed.
//   node scripts/infra/kafkajs-check.ts
import {
  CompressionTypes,
  type Consumer,
  Kafka,
  type LogEntry,
  logLevel,
  Partitioners,
  type RequestEvent,
} from "kafkajs";
import { brokerApiVersions, kafkajsVersionPicks } from "./kafka-api-versions.ts";

const brokers = (process.env.KAFKA_BROKERS ?? "127.0.0.1:19092").split(",");
const stepTimeoutMs = 30_000;
let failures = 0;
// Request versions kafkajs actually sent (instrumentation events), printed at the end.
const sent = new Map<string, Set<number>>();

function recordRequest(event: RequestEvent): void {
  const { apiName, apiVersion } = event.payload;
  const versions = sent.get(apiName) ?? new Set<number>();
  versions.add(apiVersion);
  sent.set(apiName, versions);
}

function ok(step: string, detail = ""): void {
  console.log(`ok    ${step}${detail ? ` — ${detail}` : ""}`);
}

function fail(step: string, error: unknown): void {
  failures++;
  const e = error as { name?: string; message?: string; type?: string; code?: number };
  const extra = [e.type, e.code].filter((x) => x !== undefined).join(" ");
  console.log(`FAIL  ${step} — ${e.name ?? "Error"}: ${e.message ?? String(error)}${extra ? ` (${extra})` : ""}`);
}

async function step<T>(name: string, run: () => Promise<T>, describe?: (value: T) => string): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no result within ${stepTimeoutMs} ms`)), stepTimeoutMs);
    });
    const value = await Promise.race([run(), timeout]);
    ok(name, describe ? describe(value) : "");
    return value;
  } catch (error) {
    fail(name, error);
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

// kafkajs's version pick per API against the broker's advertised ranges; a BAD pick counts as a failure.
async function compareVersions(): Promise<void> {
  const ranges = await step(
    "ApiVersions (raw socket)",
    () => brokerApiVersions(brokers[0] ?? ""),
    (r) => `${r.length} APIs`,
  );
  if (!ranges) return;
  for (const pick of kafkajsVersionPicks(ranges)) {
    console.log(pick.line);
    if (pick.bad) failures++;
  }
}

function logCreator() {
  return ({ namespace, label, log }: LogEntry) => {
    const { message, error } = log as { message?: string; error?: string };
    console.log(`      kafkajs ${label} [${namespace}] ${message ?? ""}${error ? ` — ${error}` : ""}`);
  };
}

function waitFor(what: string, condition: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      if (condition()) {
        clearInterval(timer);
        resolve();
      } else if (Date.now() - started > stepTimeoutMs - 1000) {
        clearInterval(timer);
        reject(new Error(`timed out waiting for ${what}`));
      }
    }, 50);
  });
}

async function main(): Promise<void> {
  console.log(`kafkajs check against ${brokers.join(",")}`);
  await compareVersions();

  const kafka = new Kafka({ clientId: "kafkajs-check", brokers, logLevel: logLevel.WARN, logCreator });
  const topic = `kafkajs-check-${Date.now()}`;
  const groupId = `${topic}-group`;
  const admin = kafka.admin();
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const consumers: Consumer[] = [];
  admin.on(admin.events.REQUEST, recordRequest);
  producer.on(producer.events.REQUEST, recordRequest);
  try {
    await step("admin.connect", () => admin.connect());
    await step("admin.createTopics (4 partitions, waitForLeaders)", () =>
      admin.createTopics({ topics: [{ topic, numPartitions: 4, replicationFactor: 1 }], waitForLeaders: true }),
    );
    await step(
      "admin.fetchTopicMetadata (Metadata)",
      () => admin.fetchTopicMetadata({ topics: [topic] }),
      (m) => `${m.topics[0]?.partitions.length} partitions`,
    );
    await step(
      "admin.describeCluster",
      () => admin.describeCluster(),
      (c) => `controller ${c.controller}`,
    );

    await step("producer.connect (idempotent: InitProducerId)", () => producer.connect());
    const total = 40;
    await step(
      `producer.send ${total} messages, acks -1`,
      () =>
        producer.send({
          topic,
          acks: -1,
          messages: Array.from({ length: total }, (_, i) => ({ key: `k${i}`, value: `m${i}` })),
        }),
      (r) => `${r.length} partition results, offsets ${r.map((x) => `${x.partition}:${x.baseOffset}`).join(" ")}`,
    );
    await step(
      "producer.sendBatch to 4 partitions (one request per broker)",
      () =>
        producer.sendBatch({
          acks: -1,
          topicMessages: [{ topic, messages: [0, 1, 2, 3].map((p) => ({ partition: p, value: `batch-${p}` })) }],
        }),
      (r) => `${r.length} results`,
    );
    await step(
      "producer.send gzip-compressed",
      () =>
        producer.send({
          topic,
          acks: -1,
          compression: CompressionTypes.GZIP,
          messages: [{ key: "gz", value: "gzip-1" }],
        }),
      (r) => `${r.length} result`,
    );
    await step(
      "admin.fetchTopicOffsets (ListOffsets)",
      () => admin.fetchTopicOffsets(topic),
      (o) => o.map((p) => `${p.partition}:${p.low}-${p.high}`).join(" "),
    );

    // One group member reads everything from the beginning and commits.
    const seen = new Set<string>();
    const first = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1000 });
    consumers.push(first);
    first.on(first.events.REQUEST, recordRequest);
    await step("consumer.connect + subscribe fromBeginning", async () => {
      await first.connect();
      await first.subscribe({ topic, fromBeginning: true });
    });
    await step(
      "consumer.run eachMessage (JoinGroup, SyncGroup, OffsetFetch, Fetch)",
      async () => {
        await first.run({
          autoCommit: false,
          eachMessage: async ({ message }) => {
            seen.add(String(message.value));
          },
        });
        await waitFor(`${total + 5} messages`, () => seen.size >= total + 5);
        return seen.size;
      },
      (n) => `${n} distinct messages`,
    );
    await step("consumer.commitOffsets (OffsetCommit)", async () => {
      const offsets = await admin.fetchTopicOffsets(topic);
      await first.commitOffsets(offsets.map((o) => ({ topic, partition: o.partition, offset: o.high })));
    });
    await step(
      "admin.fetchOffsets (OffsetFetch for the group)",
      () => admin.fetchOffsets({ groupId, topics: [topic] }),
      (r) => r[0]?.partitions.map((p) => `${p.partition}:${p.offset}`).join(" ") ?? "none",
    );

    // A second member joins: the group rebalances and both get partitions (Heartbeat → REBALANCE_IN_PROGRESS).
    const assigned = new Map<string, number>();
    const second = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1000 });
    consumers.push(second);
    second.on(second.events.REQUEST, recordRequest);
    for (const [name, consumer] of [
      ["first", first],
      ["second", second],
    ] as const) {
      consumer.on(consumer.events.GROUP_JOIN, (e) => {
        const parts = Object.values(e.payload.memberAssignment).flat().length;
        assigned.set(name, parts);
      });
    }
    await step(
      "second consumer joins the group, rebalance",
      async () => {
        assigned.clear();
        await second.connect();
        await second.subscribe({ topic, fromBeginning: true });
        await second.run({ eachMessage: async () => {} });
        await waitFor("both members assigned", () => assigned.size === 2);
        return [...assigned].map(([n, p]) => `${n}:${p}`).join(" ");
      },
      (s) => `partitions per member ${s}`,
    );
    await step(
      "admin.describeGroups",
      () => admin.describeGroups([groupId]),
      (d) => `${d.groups[0]?.state}, ${d.groups[0]?.members.length} members, protocol ${d.groups[0]?.protocol}`,
    );
    await step("consumers disconnect (LeaveGroup)", async () => {
      await second.disconnect();
      await first.disconnect();
    });

    // Restart: a new member of the same group starts at the committed offsets, not at the beginning.
    const resumed: string[] = [];
    const third = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1000 });
    consumers.push(third);
    third.on(third.events.REQUEST, recordRequest);
    await step("restarted consumer resumes at the committed offsets (eachBatch)", async () => {
      await third.connect();
      await third.subscribe({ topic, fromBeginning: true });
      await third.run({
        eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
          for (const message of batch.messages) {
            resumed.push(String(message.value));
            resolveOffset(message.offset);
          }
          await heartbeat();
        },
      });
      await producer.send({ topic, acks: -1, messages: [{ key: "after", value: "after-restart" }] });
      await waitFor("the new message", () => resumed.includes("after-restart"));
      if (resumed.length !== 1) throw new Error(`expected only the new message, got ${resumed.length}: ${resumed}`);
    });
    await step("third consumer disconnect", () => third.disconnect());

    await step(
      "admin.listGroups",
      () => admin.listGroups(),
      (g) => `${g.groups.length} groups`,
    );
    await step("admin.deleteGroups", () => admin.deleteGroups([groupId]));
    await step("admin.deleteTopics", () => admin.deleteTopics({ topics: [topic] }));
  } finally {
    await Promise.allSettled(consumers.map((c) => c.disconnect()));
    await producer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
  }
  const summary = [...sent].map(([api, versions]) => `${api} v${[...versions].sort().join("/v")}`).sort();
  console.log(`requests kafkajs sent: ${summary.join(", ")}`);
  console.log(failures === 0 ? "kafkajs check: all steps passed" : `kafkajs check: ${failures} step(s) FAILED`);
  process.exitCode = failures === 0 ? 0 : 1;
}

await main();
