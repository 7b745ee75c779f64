// `helm lint --strict` for every supported values set, and the values schema and template checks that refuse
// values that cannot work.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { helmLint, helmTemplate, supportedValues } from "./support/helm.ts";

describe("helm lint --strict", () => {
  for (const values of supportedValues()) {
    it(`passes with ${values.name}`, async () => {
      const output = await helmLint(values);
      assert.match(output, /1 chart\(s\) linted, 0 chart\(s\) failed/);
      assert.doesNotMatch(output, /\[(WARNING|ERROR)\]/);
    });
  }
});

describe("values the chart refuses", () => {
  const refused = async (set: Record<string, string>, message: RegExp) => {
    await assert.rejects(helmTemplate({ name: JSON.stringify(set), files: [], set }), message);
  };

  it("refuses a misspelt key (values.schema.json allows no unknown keys)", async () => {
    await refused({ "comet.replica": "3" }, /additional properties 'replica' not allowed/);
    await refused({ "kafka.topic.partition": "3" }, /additional properties 'partition' not allowed/);
  });

  it("refuses a value of the wrong type or out of range", async () => {
    await refused({ "logic.ports.http": "0" }, /logic\/ports\/http/);
    await refused({ "config.logLevel": "verbose" }, /config\/logLevel/);
    await refused({ "comet.env.NOT_A_SETTING": "1" }, /'NOT_A_SETTING' does not match pattern/);
  });

  it("refuses more jobs than the topic has partitions", async () => {
    await refused({ "job.replicas": "13", "kafka.topic.partitions": "12" }, /job\.replicas \(13\) must not exceed/);
  });

  it("refuses a termination grace period shorter than the comets' drain", async () => {
    await refused({ "comet.terminationGracePeriodSeconds": "30" }, /comet\.terminationGracePeriodSeconds \(30\)/);
  });

  it("refuses an external MySQL or Kafka without saying where it is", async () => {
    await refused({ "mysql.deploy": "false" }, /mysql\.external\.existingSecret is required/);
    await refused({ "kafka.strimzi.enabled": "false" }, /kafka\.bootstrapServers is required/);
    await refused({ "redis.deploy": "false" }, /redis\.external\.url or redis\.external\.existingSecret is required/);
  });

  it("refuses a generated token secret too short to sign sessions", async () => {
    await refused(
      { "secrets.generate.enabled": "true", "secrets.generate.tokenSecret": "short" },
      /at least 32 characters/,
    );
  });
});
