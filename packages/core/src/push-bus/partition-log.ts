/**
 * An append-only log of one partition with offsets. The head can be trimmed once every reader has moved past it,
 * so memory stays bounded by the slowest reader's lag.
 */
export class PartitionLog<T> {
  #entries: Array<T | undefined> = [];
  /** Index in #entries of the first live entry (trimmed entries are dropped in chunks). */
  #head = 0;
  /** Offset of #entries[#head]. */
  #startOffset = 0;

  /** Offset of the oldest retained entry. */
  get startOffset(): number {
    return this.#startOffset;
  }

  /** Offset the next appended entry gets. */
  get endOffset(): number {
    return this.#startOffset + this.#entries.length - this.#head;
  }

  get size(): number {
    return this.#entries.length - this.#head;
  }

  append(entry: T): number {
    this.#entries.push(entry);
    return this.endOffset - 1;
  }

  /** The entry at `offset`, or undefined when trimmed or not yet written. */
  at(offset: number): T | undefined {
    if (offset < this.#startOffset) return undefined;
    return this.#entries[this.#head + offset - this.#startOffset];
  }

  /** Up to `max` consecutive entries from `offset` on (fewer when the log ends first). */
  slice(offset: number, max: number): T[] {
    if (offset < this.#startOffset) return [];
    const from = this.#head + offset - this.#startOffset;
    return this.#entries.slice(from, from + max) as T[];
  }

  /** Drops every entry with an offset below `offset`. */
  trimBefore(offset: number): void {
    const drop = Math.min(offset, this.endOffset) - this.#startOffset;
    if (drop <= 0) return;
    this.#entries.fill(undefined, this.#head, this.#head + drop);
    this.#head += drop;
    this.#startOffset += drop;
    // Compact lazily: amortised O(1) per entry instead of shifting the array on every trim.
    if (this.#head >= 1024 && this.#head * 2 >= this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
  }
}
