/**
 * The client side of goim's heartbeat: a HEARTBEAT every interval, and since the server answers each one, a
 * connection from which no frame arrived for two intervals is reported as dead.
 */
export class Heartbeat {
  readonly #send: () => void;
  readonly #onSilent: () => void;
  #timer: ReturnType<typeof setInterval> | null = null;
  #lastFrameAt = 0;

  constructor(send: () => void, onSilent: () => void) {
    this.#send = send;
    this.#onSilent = onSilent;
  }

  /** Beats right away (the reply carries the online counts) and then every `intervalMs`. */
  start(intervalMs: number): void {
    this.stop();
    this.#lastFrameAt = Date.now();
    this.#send();
    this.#timer = setInterval(() => {
      if (Date.now() - this.#lastFrameAt > 2 * intervalMs) {
        this.stop();
        this.#onSilent();
        return;
      }
      this.#send();
    }, intervalMs);
  }

  frameReceived(): void {
    this.#lastFrameAt = Date.now();
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }
}
