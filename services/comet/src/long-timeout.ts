const MAX_DELAY_MS = 2 ** 31 - 1;

/** A handle to cancel a timer set by runAt. */
export interface TimerHandle {
  cancel(): void;
}

/**
 * Calls `callback` once the wall clock reaches `atMs`, even when that is further away than setTimeout's ~24.8 days.
 * The timer is unref'd: it never keeps the process alive by itself.
 */
export function runAt(atMs: number, callback: () => void): TimerHandle {
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    const delay = atMs - Date.now();
    if (delay <= 0) {
      timer = undefined;
      callback();
      return;
    }
    timer = setTimeout(arm, Math.min(delay, MAX_DELAY_MS));
    timer.unref();
  };
  arm();
  return {
    cancel() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
