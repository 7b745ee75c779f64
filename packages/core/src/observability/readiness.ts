/** One dependency /readyz asks about. */
export interface ReadinessCheck {
  /** Short name shown in /readyz ("store", "bus", "presence", "logic", "registry", …). */
  readonly name: string;
  /** Resolves when the dependency answers; throws or rejects with the reason it does not. */
  check(): Promise<void> | void;
}

export interface ReadinessReport {
  ready: boolean;
  /** Every check by name: "ok", or why it failed. */
  checks: Record<string, string>;
}

const OK = "ok";

/**
 * What /readyz answers: ready once the service has started, while it is not draining and every check passes within
 * the timeout. Checks run concurrently; concurrent evaluations share one run, so a burst of probes costs one round
 * of dependency calls.
 */
export class Readiness {
  readonly #checks: ReadinessCheck[] = [];
  readonly #timeoutMs: number;
  #started = false;
  #draining = false;
  #running: Promise<ReadinessReport> | null = null;

  /** timeoutMs bounds each check (default 2000 ms): a dependency slower than that counts as down. */
  constructor(options: { timeoutMs?: number } = {}) {
    this.#timeoutMs = options.timeoutMs ?? 2000;
  }

  add(...checks: ReadinessCheck[]): this {
    this.#checks.push(...checks);
    return this;
  }

  /** Until called, /readyz answers 503 "starting" (liveness answers already). */
  markStarted(): void {
    this.#started = true;
  }

  /** Shutting down: /readyz answers 503 from now on, so that the load balancer stops sending work here first. */
  markDraining(): void {
    this.#draining = true;
  }

  get draining(): boolean {
    return this.#draining;
  }

  evaluate(): Promise<ReadinessReport> {
    this.#running ??= this.#evaluate().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #evaluate(): Promise<ReadinessReport> {
    const checks: Record<string, string> = {};
    if (!this.#started) checks.started = "still starting";
    if (this.#draining) checks.draining = "shutting down";
    const results = await Promise.all(this.#checks.map((c) => this.#run(c)));
    this.#checks.forEach((check, index) => {
      checks[check.name] = results[index] ?? OK;
    });
    return { ready: Object.values(checks).every((result) => result === OK), checks };
  }

  #run(check: ReadinessCheck): Promise<string> {
    return runCheck(check, this.#timeoutMs);
  }
}

/** Runs one check bounded by timeoutMs: "ok", or the failure's message (a check that never answers fails). */
export async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
  });
  const answered = (async () => {
    try {
      await check.check();
      return OK;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  })();
  try {
    return await Promise.race([answered, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
