import { type ChatMessage, type HistoryReply, MessageKind, type RoomResume } from "@chatroom/proto/protocol";
import type { ChatClientEvents } from "./chat-client-types.ts";
import { isRevisionEvent, type MessageRevisions, toDelete, toEdit } from "./message-revisions.ts";
import type { RoomDirectory } from "./room-directory.ts";
import type { RoomSequencer, SequencerAction } from "./room-sequencer.ts";
import type { TypedEmitter } from "./typed-emitter.ts";

export interface RoomSyncDeps {
  sequencer: RoomSequencer;
  directory: RoomDirectory;
  emitter: TypedEmitter<ChatClientEvents>;
  revisions: MessageRevisions;
  /** HISTORY after_seq on the current connection. */
  fetchAfter(roomId: string, afterSeq: number): Promise<HistoryReply>;
  /** Identifies the current connection; a fill that failed on an older one is left to the next resume. */
  connectionId(): number;
  /** Runs `callback` later unless the client closes meanwhile. */
  later(ms: number, callback: () => void): void;
}

const FILL_RETRY_MS = 1000;
/**
 * How long a hole opened by a live message may stay open before HISTORY is asked: a fixed part covering the
 * reordering of pushes from several logics, plus a random part so that the receiving connections of a room do not
 * all ask at the same moment when a message really was missed.
 */
const HOLE_GRACE_MS = 250;
const HOLE_JITTER_MS = 250;

/**
 * Carries out the sequencer's decisions: delivers messages to the app (`message`; edit and delete events as `edit` /
 * `delete`, each change once: see MessageRevisions) and fills holes through HISTORY (after a grace period for holes
 * opened by live messages: see RoomSequencer).
 */
export class RoomSync {
  readonly #deps: RoomSyncDeps;

  constructor(deps: RoomSyncDeps) {
    this.#deps = deps;
  }

  receive(message: ChatMessage): void {
    this.#perform(this.#deps.sequencer.receive(message));
  }

  resumed(rooms: readonly RoomResume[]): void {
    this.#perform(this.#deps.sequencer.resumed(rooms));
  }

  #perform(actions: SequencerAction[]): void {
    for (const action of actions) {
      if (action.type === "deliver") {
        this.#deliver(action.message);
      } else if (action.type === "wait") {
        const { roomId } = action;
        const ms = HOLE_GRACE_MS + Math.floor(Math.random() * HOLE_JITTER_MS);
        this.#deps.later(ms, () => this.#perform(this.#deps.sequencer.holeDue(roomId)));
      } else {
        this.#fill(action.roomId, action.afterSeq);
      }
    }
  }

  #deliver(message: ChatMessage): void {
    const { directory, emitter, revisions } = this.#deps;
    directory.delivered(message);
    if (!isRevisionEvent(message)) {
      // A replayed message shows its edits and deletes up to revised_seq: those events are no news.
      if (message.deleted || message.revisedSeq) revisions.recordPage([message]);
      emitter.emit("message", message);
      return;
    }
    if (!revisions.record(message)) return;
    if (message.kind === MessageKind.MESSAGE_KIND_EDIT) emitter.emit("edit", toEdit(message));
    else emitter.emit("delete", toDelete(message));
  }

  #fill(roomId: string, afterSeq: number): void {
    const { sequencer, emitter } = this.#deps;
    const connection = this.#deps.connectionId();
    this.#deps.fetchAfter(roomId, afterSeq).then(
      (reply) => this.#perform(sequencer.historyPage(roomId, reply.messages, reply.hasMore)),
      (error: unknown) => {
        if (connection !== this.#deps.connectionId()) return;
        sequencer.fetchFailed(roomId);
        emitter.emit("error", error instanceof Error ? error : new Error(String(error)));
        this.#deps.later(FILL_RETRY_MS, () => this.#perform(sequencer.retry(roomId)));
      },
    );
  }
}
