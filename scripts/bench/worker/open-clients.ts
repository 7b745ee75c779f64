import { mapLimit, wallNow } from "../lib/timing.ts";
import type { ClientSpec, OpenArgs, OpenResult } from "./protocol.ts";
import type { ClientTrack, Tracker } from "./tracker.ts";

/**
 * Opens `args.clients`, at most `args.concurrency` connecting at once, for the fleet of any system: `connect` opens
 * one client (counted by `track`, from the source address given) and throws when it could not, after cleaning up;
 * the track of a client that failed is dropped.
 */
export async function openClients(
  args: OpenArgs,
  tracker: Tracker,
  connect: (spec: ClientSpec, localAddress: string, track: ClientTrack) => Promise<void>,
): Promise<OpenResult> {
  tracker.mode = args.track;
  const errors: string[] = [];
  let failed = 0;
  const startedAt = wallNow();
  await mapLimit(args.clients, args.concurrency, async (spec, index) => {
    const track = tracker.add(spec.group);
    try {
      await connect(spec, args.localAddresses[index % args.localAddresses.length] ?? "127.0.0.1", track);
    } catch (error) {
      failed += 1;
      if (errors.length < 5) errors.push(error instanceof Error ? error.message : String(error));
      tracker.clients.splice(tracker.clients.indexOf(track), 1);
    }
  });
  const finishedAt = wallNow();
  return {
    opened: args.clients.length - failed,
    failed,
    errors,
    elapsedMs: finishedAt - startedAt,
    startedAt,
    finishedAt,
  };
}
