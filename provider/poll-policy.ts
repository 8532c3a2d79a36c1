/**
 * The knobs of the poller, their defaults, and the check of the `poll` input that lets an IndexingJob
 * tune them. Plain data only: the policy travels in the resource's inputs.
 */

export interface PollPolicy {
  /**
   * The age-based schedule's first step, as DigitalOcean's SDK waiter takes it: polls come this long
   * apart `firstDelayRepeats` times, then each wait doubles up to `maxDelayMs`. A job whose progress
   * predicts nothing (pending, no counts, uneven counts) is polled on that schedule, never later.
   */
  firstDelayMs: number;
  /** How many waits of `firstDelayMs` come before the waits grow. */
  firstDelayRepeats: number;
  /** Never poll sooner than this after the previous poll. */
  minDelayMs: number;
  /** The age-based schedule's longest wait; also caps `nearEndDelayMs`. */
  maxDelayMs: number;
  /** Longest wait towards an end that steady progress predicts. */
  maxPredictedDelayMs: number;
  /** Longest wait once the end may come any moment but uneven progress cannot say exactly when. */
  nearEndDelayMs: number;
  /** Random spread of the short steps near a predicted end (0.2 = 20%, only ever shorter). */
  jitter: number;
  /** Steady progress is followed at most this many times as far ahead as it was seen to hold. */
  horizonFactor: number;
  /** A predicted end further than this is approached in steps rather than in one leap. */
  longestLeapMs: number;
  /** Each step towards a far predicted end covers this share of the way. */
  approach: number;
  /** Relative error of progress counts still taken as steady progress (0.03 = 3%). */
  tolerance: number;
  /** When the end is known to within this, poll once just after it instead of probing before it. */
  precisionMs: number;
  /** Poll this long after the latest plausible end, so that the end has been written by then. */
  marginMs: number;
  /**
   * How long the API may take to show a job just started (read-after-write lag): a 404 for it, or a
   * refused start that the job list does not explain, is waited out that long before it counts.
   */
  apiLagMs: number;
}

export const DEFAULT_POLL_POLICY: PollPolicy = {
  firstDelayMs: 5_000,
  firstDelayRepeats: 3,
  minDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxPredictedDelayMs: 5 * 60_000,
  nearEndDelayMs: 10_000,
  jitter: 0.2,
  horizonFactor: 6,
  longestLeapMs: 60_000,
  approach: 0.85,
  tolerance: 0.03,
  precisionMs: 1_500,
  marginMs: 250,
  apiLagMs: 60_000,
};

/** What the `poll` input accepts: the knobs a user may reasonably turn, in milliseconds. */
export const POLL_INPUT_KEYS: readonly (keyof PollPolicy)[] = [
  "firstDelayMs",
  "firstDelayRepeats",
  "minDelayMs",
  "maxDelayMs",
  "maxPredictedDelayMs",
];

/** The shortest wait the `poll` input may ask for, in milliseconds. */
const MIN_POLL_INPUT_MS = 1_000;

/** Reasons the `poll` input is unusable, each prefixed with the property it is about; empty if fine. */
export function checkPollInput(
  value: unknown,
  notKnownYet: (setting: unknown) => boolean = () => false,
): { property: string; reason: string }[] {
  if (value === undefined || value === null) return [];
  if (typeof value !== "object" || Array.isArray(value))
    return [{ property: "poll", reason: "must be an object such as { firstDelayMs: 2000 }" }];
  const failures: { property: string; reason: string }[] = [];
  for (const [key, setting] of Object.entries(value)) {
    const property = `poll.${key}`;
    if (notKnownYet(setting)) continue;
    if (!(POLL_INPUT_KEYS as readonly string[]).includes(key))
      failures.push({ property, reason: `is not a poll setting (${POLL_INPUT_KEYS.join(", ")})` });
    else if (typeof setting !== "number" || !Number.isFinite(setting) || setting < 0)
      failures.push({ property, reason: `must be a number >= 0, got ${JSON.stringify(setting)}` });
    else if (key === "firstDelayRepeats" ? !Number.isInteger(setting) : setting > 24 * 3_600_000)
      failures.push({ property, reason: `is out of range, got ${JSON.stringify(setting)}` });
    // Faster polling buys nothing against a rate limit shared by the whole token, and milliseconds
    // typed where seconds were meant (`minDelayMs: 5`) would hammer the API.
    else if (key !== "firstDelayRepeats" && setting < MIN_POLL_INPUT_MS)
      failures.push({ property, reason: `must be at least ${MIN_POLL_INPUT_MS} (1 s), got ${setting}` });
  }
  const policy = { ...DEFAULT_POLL_POLICY, ...(value as Partial<PollPolicy>) };
  if (failures.length === 0 && policy.minDelayMs > policy.maxDelayMs)
    failures.push({ property: "poll.minDelayMs", reason: "must not exceed maxDelayMs" });
  return failures;
}
