/**
 * Other members' read cursors per room, for "seen by …": seeded from the members API (each member's ackedSeq) and
 * moved by `read` events (read receipts). Pure; no DOM.
 */
export class ReadCursors {
  readonly #rooms = new Map<string, Map<number, { username: string; seq: number }>>();

  /** Replaces a room's cursors with a members page (a cursor never moves back, whatever arrives first). */
  seed(roomId: string, members: ReadonlyArray<{ id: number; username: string; ackedSeq: number }>): void {
    const previous = this.#rooms.get(roomId);
    const next = new Map<number, { username: string; seq: number }>();
    for (const member of members) {
      const seq = Math.max(member.ackedSeq, previous?.get(member.id)?.seq ?? 0);
      next.set(member.id, { username: member.username, seq });
    }
    this.#rooms.set(roomId, next);
  }

  /** A read receipt: the member has seen the room up to seq. False when nothing changed. */
  read(roomId: string, memberId: number, username: string, seq: number): boolean {
    let room = this.#rooms.get(roomId);
    if (!room) {
      room = new Map();
      this.#rooms.set(roomId, room);
    }
    const current = room.get(memberId);
    if (current && current.seq >= seq) return false;
    room.set(memberId, { username, seq });
    return true;
  }

  /** The member is no longer in the room. */
  forget(roomId: string, memberId: number): void {
    this.#rooms.get(roomId)?.delete(memberId);
  }

  /** Who has read up to `seq`, besides the viewer and the message's sender, by name. */
  seenBy(roomId: string, seq: number, exclude: readonly number[]): string[] {
    const names: string[] = [];
    for (const [memberId, cursor] of this.#rooms.get(roomId) ?? []) {
      if (cursor.seq >= seq && !exclude.includes(memberId)) names.push(cursor.username);
    }
    return names.sort((a, b) => a.localeCompare(b));
  }

  clear(): void {
    this.#rooms.clear();
  }
}
