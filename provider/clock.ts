/**
 * Time as the poller and the simulator see it. Injectable so that a benchmark or a test can run a
 * ten-minute job in milliseconds of real time (the simulator's ManualClock); production code uses
 * {@link systemClock}.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Resolves after `ms` of this clock's time; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      let timer: ReturnType<typeof setTimeout> | undefined = undefined;
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};

/** The longest timer Node keeps: a longer one fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A signal that aborts when a clock reaches a deadline; `dispose` once the work it bounds is over. */
export interface DeadlineSignal {
  signal: AbortSignal;
  /** Stops the timer (a manual clock is not left with its sleeper; a real one lets the process exit). */
  dispose(): void;
}

/**
 * Aborts at `deadline` on `clock`'s time, with a DeadlineError "stopped at the deadline" as its reason
 * (what a client call it stops says). Already aborted when the deadline has passed.
 */
export function deadlineSignal(deadline: number, clock: Clock = systemClock): DeadlineSignal {
  const controller = new AbortController();
  const timer = new AbortController();
  const reason = new Error("stopped at the deadline");
  reason.name = "DeadlineError";
  const left = deadline - clock.now();
  if (left <= 0) controller.abort(reason);
  // Beyond a timer's reach (some 24 days) the deadline bounds nothing a deploy does.
  else if (left <= MAX_TIMER_MS)
    clock.sleep(left, timer.signal).then(
      () => controller.abort(reason),
      () => undefined,
    );
  return { signal: controller.signal, dispose: () => timer.abort() };
}
