// Protocol version negotiation between kafkajs and a broker, for kafkajs-check.ts: the broker's ApiVersions ranges
// (read over a raw socket, independent of kafkajs) and the version kafkajs would send for each API it implements.
import { createRequire } from "node:module";
import net from "node:net";

export type VersionRange = { apiKey: number; min: number; max: number };
export type VersionPick = { line: string; bad: boolean };

type KafkajsRequests = { requests: Record<string, { versions: string[] }> };

/** ApiVersions v0 (every broker accepts it): the version range the broker advertises for each API key. */
export function brokerApiVersions(hostPort: string): Promise<VersionRange[]> {
  const [host, port] = hostPort.split(":");
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), host);
    const chunks: Buffer[] = [];
    socket.on("connect", () => {
      const request = Buffer.alloc(14);
      request.writeInt32BE(10, 0); // size of what follows
      request.writeInt16BE(18, 4); // api key ApiVersions
      request.writeInt16BE(0, 6); // api version
      request.writeInt32BE(7, 8); // correlation id
      request.writeInt16BE(-1, 12); // null client id
      socket.write(request);
    });
    socket.on("data", (chunk) => {
      chunks.push(chunk);
      const all = Buffer.concat(chunks);
      if (all.length < 4 || all.length < 4 + all.readInt32BE(0)) return;
      socket.end();
      const errorCode = all.readInt16BE(8);
      if (errorCode !== 0) return reject(new Error(`ApiVersions error code ${errorCode}`));
      const count = all.readInt32BE(10);
      const ranges: VersionRange[] = [];
      for (let i = 0, at = 14; i < count; i++, at += 6) {
        ranges.push({ apiKey: all.readInt16BE(at), min: all.readInt16BE(at + 2), max: all.readInt16BE(at + 4) });
      }
      resolve(ranges);
    });
    socket.on("error", reject);
  });
}

/**
 * kafkajs sends min(its highest implemented version, the broker's max) and never looks at the broker's min
 * (node_modules/kafkajs/src/protocol/requests/index.js `lookup`): a pick below the broker's min would be rejected.
 */
export function kafkajsVersionPicks(ranges: VersionRange[]): VersionPick[] {
  const require = createRequire(import.meta.url);
  const { requests } = require("kafkajs/src/protocol/requests/index.js") as KafkajsRequests;
  const apiKeys = require("kafkajs/src/protocol/requests/apiKeys.js") as Record<string, number>;
  const picks: VersionPick[] = [];
  for (const [name, definition] of Object.entries(requests)) {
    if (definition.versions.length === 0) continue;
    const implemented = definition.versions.map(Number);
    const kafkajsMax = Math.max(...implemented);
    const range = ranges.find((r) => r.apiKey === apiKeys[name]);
    const label = `${name} (key ${apiKeys[name]})`;
    const offered = `kafkajs v${Math.min(...implemented)}-v${kafkajsMax}`;
    if (!range) {
      picks.push({ line: `warn  ${label}: ${offered}, the broker does not offer this API`, bad: false });
      continue;
    }
    const pick = Math.min(kafkajsMax, range.max);
    const bad = pick < range.min;
    const line = `${bad ? "BAD " : "ok  "}  ${label}: sends v${pick} (${offered}, broker v${range.min}-v${range.max})`;
    picks.push({ line, bad });
  }
  return picks;
}
