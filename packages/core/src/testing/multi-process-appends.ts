import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { describe, it } from "node:test";
import type { Stores } from "../store/stores.ts";
import type { Member } from "../types.ts";
import { newMessage, seedMember, seedRoom } from "./store-fixtures.ts";

/** What one appending process is told to do (JSON in its first argument). */
export interface AppendPlan {
  /** Where the worker opens the stores (a file path, a URL): its own business. */
  target: string;
  rooms: string[];
  senders: Member[];
  /** Appends of this worker's own (new keys), spread over the rooms. */
  count: number;
  /** Keys every worker sends too (as senders[0]): each must be stored once across all processes. */
  contestedKeys: string[];
  /** Appends in flight at once. */
  concurrency: number;
}

/** One acknowledged append, as the worker reports it. */
export interface AckedAppend {
  id: string;
  roomId: string;
  seq: number;
  clientMsgId: string;
  duplicate: boolean;
}

interface WorkerReport {
  acked: AckedAppend[];
  failures: string[];
}

/**
 * The body of an appending process: opens its stores, prints "ready", waits for "go" on stdin (so that every process
 * starts together), appends as planned and prints one JSON line with what was acknowledged.
 */
export async function runAppendWorker(open: (target: string) => Promise<Stores>): Promise<void> {
  const plan = JSON.parse(process.argv[2] ?? "") as AppendPlan;
  const stores = await open(plan.target);
  const lines = createInterface({ input: process.stdin });
  const go = new Promise<void>((resolve) => lines.once("line", () => resolve()));
  console.log("ready");
  await go;
  lines.close();
  const work: (() => ReturnType<Stores["messages"]["append"]>)[] = [];
  const contested = [...plan.contestedKeys];
  for (let i = 0; i < plan.count; i++) {
    const sender = plan.senders[i % plan.senders.length] as Member;
    const roomId = plan.rooms[(i * 7 + process.pid) % plan.rooms.length] as string;
    work.push(() => stores.messages.append(newMessage(sender, roomId, `p${process.pid} m${i}`)));
    // A contested key every few appends, as a client's retry reaching another logic would.
    const key = i % 5 === 0 ? contested.shift() : undefined;
    if (key !== undefined) {
      const owner = plan.senders[0] as Member;
      const room = plan.rooms[key.length % plan.rooms.length] as string;
      work.push(() => stores.messages.append(newMessage(owner, room, `contested ${key}`, key)));
    }
  }
  const report: WorkerReport = { acked: [], failures: [] };
  let next = 0;
  const lane = async () => {
    while (next < work.length) {
      const append = work[next++] as (typeof work)[number];
      try {
        const { message, duplicate } = await append();
        const { id, roomId, seq, clientMsgId } = message;
        report.acked.push({ id, roomId, seq, clientMsgId, duplicate });
      } catch (error) {
        report.failures.push(error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, lane));
  await stores.close();
  console.log(JSON.stringify(report));
}

export interface MultiProcessSubject {
  /** Stores on the shared database, for seeding and for the checks. */
  stores: Stores;
  /** What each worker gets as AppendPlan.target. */
  target: string;
  cleanup(): Promise<void>;
}

export interface MultiProcessOptions {
  /** The worker's entry file (it calls runAppendWorker); run with this process's node. */
  workerScript: string;
  processes?: number;
  perProcess?: number;
}

/** Runs the worker script with `plan`; resolves with its report, rejects with its output when it fails. */
function runWorker(script: string, plan: AppendPlan, started: (go: () => void) => void): Promise<WorkerReport> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const child = spawn(process.execPath, [script, JSON.stringify(plan)], { env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      const before = stdout;
      stdout += chunk.toString();
      if (!before.includes("ready\n") && stdout.includes("ready\n")) started(() => child.stdin.write("go\n"));
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      const last = stdout.trim().split("\n").at(-1) ?? "";
      if (code === 0 && last.startsWith("{")) resolve(JSON.parse(last) as WorkerReport);
      else reject(new Error(`append worker exited with ${code}:\n${stderr.slice(-3000)}${stdout.slice(-1000)}`));
    });
  });
}

/**
 * Several OS processes appending to one database at once, each with its own connection(s) and group commit: per
 * room the seqs are 1..n without a gap or a repeat, every acknowledged append is stored at the seq it was told, and
 * a key sent by every process is stored once.
 */
export function multiProcessAppendCases(
  name: string,
  subject: () => Promise<MultiProcessSubject>,
  options: MultiProcessOptions,
): void {
  const processes = options.processes ?? 4;
  const perProcess = options.perProcess ?? 400;
  describe(name, () => {
    it(`keep seqs gapless and keys unique with ${processes} processes appending ${perProcess} each at once`, async () => {
      const { stores, target, cleanup } = await subject();
      try {
        const senders = [await seedMember(stores, "ann"), await seedMember(stores, "bob")];
        const rooms = ["a", "b", "c", "d", "e"];
        for (const room of rooms) await seedRoom(stores, room);
        const contestedKeys = Array.from({ length: 30 }, (_, i) => `contested-${i}`);
        const plan: AppendPlan = { target, rooms, senders, count: perProcess, contestedKeys, concurrency: 64 };
        // Every worker starts once all of them have opened their stores.
        const goes: (() => void)[] = [];
        let allReady = () => {};
        const ready = new Promise<void>((resolve) => (allReady = resolve));
        const started = (go: () => void) => {
          goes.push(go);
          if (goes.length === processes) allReady();
        };
        const reports = Array.from({ length: processes }, () => runWorker(options.workerScript, plan, started));
        await Promise.race([ready, Promise.all(reports)]);
        for (const go of goes) go();
        const done = await Promise.all(reports);

        assert.deepEqual(
          done.flatMap((report) => report.failures),
          [],
        );
        const acked = done.flatMap((report) => report.acked);
        assert.equal(acked.length, processes * (perProcess + contestedKeys.length));
        const originals = acked.filter((append) => !append.duplicate);
        assert.equal(new Set(originals.map((append) => append.id)).size, originals.length);
        for (const key of contestedKeys) {
          const tries = acked.filter((append) => append.clientMsgId === key);
          assert.equal(tries.length, processes);
          assert.equal(new Set(tries.map((append) => append.id)).size, 1, `${key} is one message`);
          assert.equal(tries.filter((append) => !append.duplicate).length, 1, `${key} is stored once`);
        }
        let total = 0;
        for (const room of rooms) {
          const stored = await stores.messages.after(room, 0, 100_000);
          total += stored.length;
          assert.deepEqual(
            stored.map((message) => message.seq),
            Array.from({ length: stored.length }, (_, i) => i + 1),
            `seqs of room ${room}`,
          );
          assert.equal(await stores.messages.lastSeq(room), stored.length);
          const bySeq = new Map(stored.map((message) => [message.seq, message.id]));
          for (const append of acked.filter((a) => a.roomId === room)) {
            assert.equal(bySeq.get(append.seq), append.id, `room ${room} seq ${append.seq} is what was acknowledged`);
          }
        }
        assert.equal(total, originals.length, "nothing stored beyond what was acknowledged");
      } finally {
        await cleanup();
      }
    });
  });
}
