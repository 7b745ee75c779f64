/**
 * Deadlines by key, popped in deadline order: a binary min-heap with lazy deletion. Rescheduling or removing a
 * key leaves its old heap entry behind as stale (skipped when popped); the heap is rebuilt when stale entries
 * outnumber live ones, so memory stays proportional to the live keys.
 */
export class ExpiryQueue<K> {
  readonly #deadlines = new Map<K, number>();
  #heap: Array<{ at: number; key: K }> = [];

  get size(): number {
    return this.#deadlines.size;
  }

  deadlineOf(key: K): number | undefined {
    return this.#deadlines.get(key);
  }

  /** Sets (or moves) the key's deadline. */
  schedule(key: K, at: number): void {
    this.#deadlines.set(key, at);
    this.#push({ at, key });
    if (this.#heap.length > 2 * this.#deadlines.size + 64) this.#rebuild();
  }

  delete(key: K): boolean {
    return this.#deadlines.delete(key);
  }

  /** The earliest live deadline, if any. */
  peek(): number | undefined {
    this.#dropStaleTop();
    return this.#heap[0]?.at;
  }

  /** Removes and returns every key whose deadline is at or before `now`, earliest first. */
  popExpired(now: number): K[] {
    const expired: K[] = [];
    for (;;) {
      this.#dropStaleTop();
      const top = this.#heap[0];
      if (!top || top.at > now) return expired;
      this.#pop();
      this.#deadlines.delete(top.key);
      expired.push(top.key);
    }
  }

  clear(): void {
    this.#deadlines.clear();
    this.#heap = [];
  }

  #dropStaleTop(): void {
    for (let top = this.#heap[0]; top && this.#deadlines.get(top.key) !== top.at; top = this.#heap[0]) this.#pop();
  }

  #rebuild(): void {
    this.#heap = [];
    for (const [key, at] of this.#deadlines) this.#push({ at, key });
  }

  #push(entry: { at: number; key: K }): void {
    const heap = this.#heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.at <= entry.at) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && heap[right]!.at < heap[left]!.at ? right : left;
      if (heap[child]!.at >= last.at) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
  }
}
