import type { ConnectionControl } from "@chatroom/proto/grpc";
import type { Buckets } from "./buckets.ts";
import type { Channel } from "./channel.ts";
import { closeReason } from "./close-codes.ts";

/**
 * What a push asks of the connections it targets besides writing its frame (logic says it explicitly, so the
 * comet never decodes the bodies it forwards). Subscriptions change before the frame is written, so the room's
 * next message cannot reach the client before the frame that announced the join.
 */
export function applySubscriptions(buckets: Buckets, channel: Channel, control: ConnectionControl | undefined): void {
  // These are chat rooms; a goim connection enters goim rooms only by its own OP_CHANGE_ROOM (a goim mid may equal a
  // chatroom member id, and that member's joins must not pull the goim connection into chat rooms).
  if (!control || channel.dialect === "goim") return;
  for (const roomId of control.joinRooms) buckets.join(channel, roomId);
  for (const roomId of control.leaveRooms) buckets.leave(channel, roomId);
}

/** Closes the channel after its frame when the control says so (logout: only the channels of that session). */
export function closeIfAsked(channel: Channel, control: ConnectionControl | undefined): boolean {
  if (!control || control.closeCode === 0) return false;
  if (control.closeSessionId !== "" && control.closeSessionId !== channel.sessionId) return false;
  channel.close(control.closeCode, closeReason(control.closeReason));
  return true;
}

/** True when the control only addresses the connections (no frame to write is needed for it to make sense). */
export function hasControl(control: ConnectionControl | undefined): control is ConnectionControl {
  return (
    control !== undefined && (control.joinRooms.length > 0 || control.leaveRooms.length > 0 || control.closeCode !== 0)
  );
}
