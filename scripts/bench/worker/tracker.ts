import { Histogram } from "../lib/histogram.ts";
import { wallNow } from "../lib/timing.ts";
import { type GroupStats, sentAt, type TrackMode } from "./protocol.ts";

/** What one client received: counts, and in sequence mode the last seq per room. */
export class ClientTrack {
  readonly group: string;
  received = 0;
  duplicates = 0;
  gaps = 0;
  disconnects = 0;
  resumedAt = 0;
  server = "";
  readonly #lastSeq = new Map<string, number>();

  constructor(group: string) {
    this.group = group;
  }

  /** Sequence mode: an app-level duplicate is a seq ≤ the last one, a gap is a seq beyond the next one. */
  sequence(roomId: string, seq: number): void {
    const last = this.#lastSeq.get(roomId) ?? 0;
    if (seq <= last) {
      this.duplicates += 1;
      return;
    }
    if (seq > last + 1) this.gaps += seq - last - 1;
    this.#lastSeq.set(roomId, seq);
  }

  reset(): void {
    this.received = 0;
    this.duplicates = 0;
    this.gaps = 0;
    this.disconnects = 0;
    this.resumedAt = 0;
    this.#lastSeq.clear();
  }
}

/** The worker's delivery bookkeeping: one ClientTrack per client and one latency histogram for all. */
export class Tracker {
  readonly clients: ClientTrack[] = [];
  readonly latency = new Histogram();
  readonly closeCodes = new Map<string, number>();
  mode: TrackMode = "none";
  lastDeliveryAt = 0;

  add(group: string): ClientTrack {
    const track = new ClientTrack(group);
    this.clients.push(track);
    return track;
  }

  /** One delivery of a payload stamped by payload(). */
  delivered(track: ClientTrack, text: string): void {
    track.received += 1;
    const now = wallNow();
    this.lastDeliveryAt = now;
    this.latency.record(now - sentAt(text));
  }

  disconnected(track: ClientTrack, code: number): void {
    track.disconnects += 1;
    const key = String(code);
    this.closeCodes.set(key, (this.closeCodes.get(key) ?? 0) + 1);
  }

  reset(): void {
    for (const track of this.clients) track.reset();
    this.latency.reset();
    this.closeCodes.clear();
    this.lastDeliveryAt = 0;
  }

  groups(expected: Record<string, number> | undefined): Record<string, GroupStats> {
    const out: Record<string, GroupStats> = {};
    for (const track of this.clients) {
      const group = out[track.group] ?? { clients: 0, received: 0, missing: 0, extra: 0 };
      out[track.group] = group;
      group.clients += 1;
      group.received += track.received;
      const want = expected?.[track.group];
      if (this.mode === "sequence") {
        group.extra += track.duplicates;
        if (want !== undefined) group.missing += Math.max(0, want - track.received);
      } else if (want !== undefined) {
        group.missing += Math.max(0, want - track.received);
        group.extra += Math.max(0, track.received - want);
      }
    }
    return out;
  }
}
