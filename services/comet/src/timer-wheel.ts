/**
 * An entry of a TimerWheel: the object that has the deadline carries the wheel's links itself (no node, closure or
 * Timeout per entry). Only the wheel writes the `wheel*` fields; start them as `initialWheelLinks()` gives them.
 */
export interface WheelEntry {
  /** The deadline (ms since the epoch); meaningful while scheduled. */
  wheelAt: number;
  /** The slot the entry is linked into; -1 when not scheduled. */
  wheelSlot: number;
  wheelPrev: WheelEntry | null;
  wheelNext: WheelEntry | null;
  /** Called once the deadline has passed (the entry is no longer scheduled then; it may schedule itself again). */
  onDeadline(now: number): void;
}

export function initialWheelLinks(): Pick<WheelEntry, "wheelAt" | "wheelSlot" | "wheelPrev" | "wheelNext"> {
  return { wheelAt: 0, wheelSlot: -1, wheelPrev: null, wheelNext: null };
}

/**
 * A hashed timer wheel for the comet's per-connection deadlines (auth timeout, heartbeat reaper, session expiry):
 * one interval timer for the whole comet instead of a Timeout per connection.
 *
 * Contract: `schedule`, `cancel` and rescheduling (schedule again) are O(1). An entry's `onDeadline` is called once
 * per schedule, never before its deadline (`now >= wheelAt`), and — while `advance` is called at least once per
 * tick, which the wheel's own unref'd interval does — at most one tick after it (plus event-loop delay). Deadlines
 * any distance away are fine: an entry further than one turn of the wheel stays in its slot and is skipped until its
 * turn. `advance(now)` is the whole firing logic (pure given `now`; tests call it with a fake clock).
 */
export class TimerWheel {
  readonly tickMs: number;
  private readonly heads: Array<WheelEntry | null>;
  /** The first tick whose slot has not been fully processed. */
  private cursor: number;
  private count = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly autoTick: boolean;

  /** `autoTick: false` leaves calling advance() to the caller (tests). */
  constructor(options: { tickMs?: number; slots?: number; now?: number; autoTick?: boolean } = {}) {
    this.tickMs = options.tickMs ?? 1000;
    this.heads = new Array<WheelEntry | null>(options.slots ?? 512).fill(null);
    this.cursor = Math.floor((options.now ?? Date.now()) / this.tickMs);
    this.autoTick = options.autoTick ?? true;
  }

  /** Entries scheduled. */
  get size(): number {
    return this.count;
  }

  /** Schedules (or reschedules) the entry's deadline at `atMs`. */
  schedule(entry: WheelEntry, atMs: number): void {
    if (entry.wheelSlot >= 0) this.unlink(entry);
    entry.wheelAt = atMs;
    // A deadline in an already processed tick goes to the cursor's slot: the next advance sees it.
    const slot = Math.max(Math.floor(atMs / this.tickMs), this.cursor) % this.heads.length;
    const head = this.heads[slot] ?? null;
    entry.wheelSlot = slot;
    entry.wheelPrev = null;
    entry.wheelNext = head;
    if (head) head.wheelPrev = entry;
    this.heads[slot] = entry;
    this.count++;
    if (this.autoTick && this.timer === undefined) {
      this.timer = setInterval(() => this.advance(Date.now()), this.tickMs);
      this.timer.unref();
    }
  }

  /** Unschedules the entry; nothing when it is not scheduled. */
  cancel(entry: WheelEntry): void {
    if (entry.wheelSlot >= 0) this.unlink(entry);
  }

  /** Fires every entry whose deadline is ≤ now. */
  advance(now: number): void {
    const current = Math.floor(now / this.tickMs);
    const slots = this.heads.length;
    // Ticks before `current` are done after this pass; `current` itself is looked at again next time.
    const first = current - this.cursor >= slots ? current - slots + 1 : this.cursor;
    for (let tick = first; tick <= current; tick++) this.fireDue(tick % slots, now);
    this.cursor = Math.max(this.cursor, current);
    if (this.count === 0 && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** Stops the interval timer (entries stay scheduled; a later schedule restarts it). */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private fireDue(slot: number, now: number): void {
    let entry = this.heads[slot] ?? null;
    while (entry) {
      const next: WheelEntry | null = entry.wheelNext;
      if (entry.wheelAt <= now) {
        this.unlink(entry);
        entry.onDeadline(now);
      }
      // An entry rescheduled by its callback into this same slot sits at the head: not revisited in this pass.
      entry = next && next.wheelSlot === slot ? next : null;
    }
  }

  private unlink(entry: WheelEntry): void {
    const { wheelPrev: prev, wheelNext: next } = entry;
    if (prev) prev.wheelNext = next;
    else this.heads[entry.wheelSlot] = next;
    if (next) next.wheelPrev = prev;
    entry.wheelSlot = -1;
    entry.wheelPrev = null;
    entry.wheelNext = null;
    this.count--;
  }
}
