/** Told about each task a SerialQueue ran (an object's methods: no closure per queue). */
export interface SerialQueueOwner {
  /** A task threw or rejected. */
  onTaskError(error: unknown): void;
  /** A task finished (after onTaskError, if it failed). */
  afterTask(): void;
}

/**
 * Runs async tasks one at a time in submission order: a connection's requests are handled in order, so that its
 * replies keep request order. A failing task is reported and does not stop the queue.
 */
export class SerialQueue {
  private readonly tasks: Array<() => Promise<void>> = [];
  private running = false;
  private readonly owner: SerialQueueOwner;

  constructor(owner: SerialQueueOwner) {
    this.owner = owner;
  }

  /** Tasks waiting or running. */
  get size(): number {
    return this.tasks.length + (this.running ? 1 : 0);
  }

  push(task: () => Promise<void>): void {
    this.tasks.push(task);
    if (!this.running) void this.run();
  }

  /** Drops the tasks not started yet. */
  clear(): void {
    this.tasks.length = 0;
  }

  private async run(): Promise<void> {
    this.running = true;
    for (let task = this.tasks.shift(); task; task = this.tasks.shift()) {
      try {
        await task();
      } catch (error) {
        this.owner.onTaskError(error);
      }
      this.owner.afterTask();
      // Let other connections' I/O in between two requests of this one: with synchronous stores (SQLite) a
      // pipelined burst would otherwise run back to back in one turn of the event loop.
      if (this.tasks.length > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.running = false;
  }
}
