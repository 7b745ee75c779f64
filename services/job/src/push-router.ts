import { type CometClient, type Connection, isChatError, type Presence, type PushBatch } from "@chatroom/core";
import { type PushMsg, PushMsg_Type } from "@chatroom/proto/grpc";
import type { CometPool } from "./comet-pool.ts";
import { frameToProto, packRoomFrames } from "./room-frames.ts";

export interface RouterStats {
  onPushed(kind: "push" | "room" | "broadcast", comets: number): void;
  onMiss(kind: "push" | "room", push: PushMsg): void;
  /** A comet stayed unreachable through the retries and was skipped for this push. */
  onCometUnreachable?(cometId: string, error: unknown): void;
}

export interface PushRouterOptions {
  presence: Presence;
  comets: CometPool;
  roomBatchMaxMessages: number;
  roomBatchMaxBytes: number;
  stats?: RouterStats;
  /** Waits between attempts at an unreachable comet before it is skipped (default [20, 100]). */
  unreachableRetryDelaysMs?: number[];
}

/**
 * job's switch (goim internal/job/push.go): sends each push only to the comets that hold its connections.
 * A batch resolves once every comet call resolved; any failure rejects it so the bus redelivers the batch
 * (comets and clients tolerate the repeat: clients dedupe by room seq).
 */
export class PushRouter {
  private readonly options: PushRouterOptions;

  constructor(options: PushRouterOptions) {
    this.options = options;
  }

  async route(batch: PushBatch): Promise<void> {
    const rooms = new Map<string, PushMsg[]>();
    const tasks: Promise<void>[] = [];
    for (const push of batch.messages) {
      switch (push.type) {
        case PushMsg_Type.TYPE_ROOM: {
          const list = rooms.get(push.room);
          if (list) list.push(push);
          else rooms.set(push.room, [push]);
          break;
        }
        case PushMsg_Type.TYPE_PUSH:
          tasks.push(this.pushToConnections(push));
          break;
        case PushMsg_Type.TYPE_BROADCAST:
          tasks.push(this.broadcast(push));
          break;
        default:
          // Unknown types cannot become deliverable by retrying; they are dropped here, not redelivered forever.
          break;
      }
    }
    for (const [roomId, pushes] of rooms) tasks.push(this.pushToRoom(roomId, pushes));
    const results = await Promise.allSettled(tasks);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  }

  private async pushToConnections(push: PushMsg): Promise<void> {
    const { presence } = this.options;
    const [byKey, byMember] = await Promise.all([
      push.keys.length > 0 ? presence.locateKeys(push.keys) : Promise.resolve([]),
      push.members.length > 0 ? presence.locateMembers(push.members) : Promise.resolve([]),
    ]);
    const perServer = groupKeysByServer([...byKey, ...byMember]);
    if (perServer.size === 0) {
      this.options.stats?.onMiss("push", push);
      return;
    }
    // Operation 0: a control-only push (logout, subscription change) that writes no frame.
    const proto = push.operation === 0 ? undefined : { ver: 1, op: push.operation, seq: 0, body: push.msg };
    const control = push.control;
    await this.callEach(perServer.keys(), (comet) =>
      comet.pushMsg({ keys: perServer.get(comet.info.id) ?? [], members: [], protoOp: push.operation, proto, control }),
    );
    this.options.stats?.onPushed("push", perServer.size);
  }

  private async pushToRoom(roomId: string, pushes: PushMsg[]): Promise<void> {
    const servers = await this.options.presence.serversOfRoom(roomId);
    if (servers.length === 0) {
      for (const push of pushes) this.options.stats?.onMiss("room", push);
      return;
    }
    const frames = packRoomFrames(pushes, this.options.roomBatchMaxMessages, this.options.roomBatchMaxBytes);
    // The latest online count among the pushes travels beside the frames (the comets never decode them).
    const online = pushes.findLast((push) => push.online !== undefined)?.online;
    for (const [i, frame] of frames.entries()) {
      const proto = frameToProto(frame);
      const request = i === frames.length - 1 && online !== undefined ? { roomId, proto, online } : { roomId, proto };
      await this.callEach(servers, (comet) => comet.broadcastRoom(request));
    }
    this.options.stats?.onPushed("room", servers.length);
  }

  private async broadcast(push: PushMsg): Promise<void> {
    const comets = this.options.comets.all();
    const proto = { ver: 1, op: push.operation, seq: 0, body: push.msg };
    await Promise.all(comets.map((c) => c.broadcast({ protoOp: push.operation, proto, speed: push.speed })));
    this.options.stats?.onPushed("broadcast", comets.length);
  }

  /**
   * Calls every listed comet that is still registered; comets gone from the registry are skipped. A comet that
   * stays unreachable (`unavailable`) through a short retry is skipped too rather than failing the batch: its
   * connections are gone or going, and their clients resume from the store when they reconnect, whereas failing
   * the batch would hold up every other room of the partition until the comet's registration expires. Any other
   * error fails the batch, so the bus redelivers it.
   */
  private async callEach(ids: Iterable<string>, call: (comet: CometClient) => Promise<unknown>): Promise<void> {
    const calls: Promise<unknown>[] = [];
    for (const id of ids) {
      const comet = this.options.comets.get(id);
      if (comet) calls.push(this.callWithRetry(comet, call));
    }
    await Promise.all(calls);
  }

  private async callWithRetry(comet: CometClient, call: (comet: CometClient) => Promise<unknown>): Promise<void> {
    const delays = this.options.unreachableRetryDelaysMs ?? [20, 100];
    for (let attempt = 0; ; attempt += 1) {
      try {
        await call(comet);
        return;
      } catch (error) {
        if (!isChatError(error) || error.code !== "unavailable") throw error;
        const delay = delays[attempt];
        if (delay === undefined || this.options.comets.get(comet.info.id) !== comet) {
          this.options.stats?.onCometUnreachable?.(comet.info.id, error);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}

function groupKeysByServer(connections: readonly Connection[]): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const c of connections) {
    let keys = out.get(c.server);
    if (!keys) {
      keys = new Set();
      out.set(c.server, keys);
    }
    keys.add(c.key);
  }
  return new Map([...out].map(([server, keys]) => [server, [...keys]]));
}
