import {
  ChatMessage,
  ErrorReply,
  type Frame,
  HeartbeatReply,
  OnlineUpdate,
  Op,
  RoomEvent,
  RoomEventType,
} from "@chatroom/proto/protocol";
import { ChatClientError } from "./chat-client-error.ts";
import type { ChatClientEvents } from "./chat-client-types.ts";
import type { PendingRequests } from "./pending-requests.ts";
import type { RoomDirectory } from "./room-directory.ts";
import type { TypedEmitter } from "./typed-emitter.ts";
import type { TypingTracker } from "./typing-tracker.ts";

export interface FrameDispatcherDeps {
  pending: PendingRequests;
  emitter: TypedEmitter<ChatClientEvents>;
  directory: RoomDirectory;
  typing: TypingTracker;
  onMessage(message: ChatMessage): void;
}

/**
 * Routes one incoming frame (OP_RAW batches arrive already split): chat pushes to their handlers, replies to the
 * request with the same seq, OP_ERROR to the failed request, other server pushes (seq 0) to the `push` event.
 */
export class FrameDispatcher {
  readonly #deps: FrameDispatcherDeps;

  constructor(deps: FrameDispatcherDeps) {
    this.#deps = deps;
  }

  dispatch(frame: Frame): void {
    const { pending, emitter, directory } = this.#deps;
    try {
      switch (frame.op) {
        case Op.MESSAGE: {
          const message = ChatMessage.decode(frame.body);
          this.#deps.typing.onMessage(message.roomId, message.senderId);
          this.#deps.onMessage(message);
          return;
        }
        case Op.EVENT: {
          const event = RoomEvent.decode(frame.body);
          if (event.type === RoomEventType.ROOM_EVENT_TYPE_TYPING) {
            this.#deps.typing.onTyping(event);
            return;
          }
          if (event.type === RoomEventType.ROOM_EVENT_TYPE_READ) {
            directory.onRead(event);
            const { roomId, memberId, username, seq } = event;
            emitter.emit("read", { roomId, memberId, username, seq });
            return;
          }
          directory.onEvent(event);
          emitter.emit("event", event);
          return;
        }
        case Op.HEARTBEAT_REPLY:
          directory.setOnline(HeartbeatReply.decode(frame.body).online);
          return;
        case Op.ONLINE:
          directory.setOnline(OnlineUpdate.decode(frame.body).online);
          return;
        case Op.ERROR: {
          const reply = ErrorReply.decode(frame.body);
          const error = new ChatClientError(reply.code || "internal", reply.message || reply.code, {
            retryAfterMs: reply.retryAfterMs,
            requestOp: reply.requestOp || (pending.opOf(frame.seq) ?? 0),
          });
          if (frame.seq === 0 || !pending.reject(frame.seq, error)) emitter.emit("error", error);
          return;
        }
      }
      // A reply whose request timed out already is dropped.
      if (frame.seq !== 0) pending.resolve(frame.seq, frame.op, frame.body);
      else emitter.emit("push", { op: frame.op, body: frame.body });
    } catch (error) {
      emitter.emit("error", error instanceof Error ? error : new Error(String(error)));
    }
  }
}
