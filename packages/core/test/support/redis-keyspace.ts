import { after } from "node:test";
import { connectRedis, unlinkPrefix } from "@chatroom/core/redis";
import { uniqueSuffix } from "@chatroom/core/testing";
import { redisService } from "../../../../test/support/services.ts";

/**
 * One Redis test file's keyspace on the shared Redis: a client, a file prefix removed (SCAN + UNLINK, never FLUSH)
 * when the file ends, and contract factories that give each subject a fresh prefix of its own.
 */
export async function redisTestKeyspace(name: string) {
  const { url } = await redisService();
  const filePrefix = `test:${name}:${uniqueSuffix()}:`;
  const redis = connectRedis(url);
  after(async () => {
    await unlinkPrefix(redis, filePrefix);
    await redis.quit();
  });
  const newPrefix = (): string => `${filePrefix}${uniqueSuffix()}:`;
  /** A contract suite factory: a new subject on its own prefix; cleanup closes it and removes its keys. */
  const subjectFactory =
    <T extends { close(): Promise<void> }>(make: (prefix: string) => T) =>
    async () => {
      const prefix = newPrefix();
      const subject = make(prefix);
      return {
        subject,
        cleanup: async () => {
          await subject.close();
          await unlinkPrefix(redis, prefix);
        },
      };
    };
  return { url, redis, newPrefix, subjectFactory };
}
