import { ChatError, type RoomRestriction } from "@chatroom/core";

/** Longest ban or mute with an end: ten years (longer is "until lifted", duration 0). */
export const MAX_RESTRICTION_MS = 10 * 365 * 24 * 3600 * 1000;

/** A ban's or mute's duration: 0 (or absent) means until lifted. */
export function validateDuration(durationMs: unknown): number {
  if (durationMs === undefined || durationMs === null) return 0;
  if (typeof durationMs !== "number" || !Number.isSafeInteger(durationMs) || durationMs < 0) {
    throw new ChatError("bad_request", "durationMs must be a non-negative integer (0: until lifted)");
  }
  if (durationMs > MAX_RESTRICTION_MS) {
    throw new ChatError("bad_request", `durationMs must be at most ${MAX_RESTRICTION_MS} (ten years); 0: until lifted`);
  }
  return durationMs;
}

/** The end of a restriction starting now: null for until lifted. */
export function untilOf(durationMs: number, nowMs: number): number | null {
  return durationMs === 0 ? null : nowMs + durationMs;
}

function whenEnds(untilMs: number | null): string {
  return untilMs === null ? "until an owner or moderator lifts it" : `until ${new Date(untilMs).toISOString()}`;
}

/** What a banned member is told; retry_after_ms says when the ban ends by itself (0: it does not). */
export function bannedError(roomId: string, ban: RoomRestriction, nowMs: number): ChatError {
  return new ChatError("banned", `banned from ${roomId} ${whenEnds(ban.untilMs)}`, {
    retryAfterMs: ban.untilMs === null ? 0 : Math.max(1, ban.untilMs - nowMs),
  });
}

/** What a muted member is told when sending or typing; retry_after_ms as for bans. */
export function mutedError(roomId: string, untilMs: number | null, nowMs: number): ChatError {
  return new ChatError("muted", `muted in ${roomId} ${whenEnds(untilMs)}`, {
    retryAfterMs: untilMs === null ? 0 : Math.max(1, untilMs - nowMs),
  });
}
