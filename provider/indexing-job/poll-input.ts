/**
 * The `poll` input of an IndexingJob: the few of the poller's knobs a user has reason to tune, and its
 * check. Plain data only: the policy travels in the resource's inputs.
 */
import { DEFAULT_POLL_POLICY, type PollPolicy } from "../waiting/poller";

/** What the `poll` input accepts: the schedule's three numbers. */
export const POLL_INPUT_KEYS = ["firstDelayMs", "firstDelayRepeats", "maxDelayMs"] as const;

export type PollInput = Partial<Pick<PollPolicy, (typeof POLL_INPUT_KEYS)[number]>>;

/** The shortest wait the `poll` input may ask for, in milliseconds. */
const MIN_POLL_INPUT_MS = 1_000;
const MAX_POLL_INPUT_MS = 24 * 3_600_000;

/** Reasons the `poll` input is unusable, each naming the property it is about; empty if fine. */
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
    const fail = (reason: string) => failures.push({ property, reason });
    if (!(POLL_INPUT_KEYS as readonly string[]).includes(key))
      fail(`is not a poll setting (${POLL_INPUT_KEYS.join(", ")})`);
    else if (typeof setting !== "number" || !Number.isFinite(setting) || setting < 0)
      fail(`must be a number >= 0, got ${JSON.stringify(setting)}`);
    else if (key === "firstDelayRepeats") {
      if (!Number.isInteger(setting)) fail(`must be a whole number, got ${setting}`);
    } else if (setting > MAX_POLL_INPUT_MS) fail(`is out of range, got ${setting}`);
    // Faster polling buys nothing against a rate limit shared by the whole token, and milliseconds
    // typed where seconds were meant (`firstDelayMs: 5`) would hammer the API.
    else if (setting < MIN_POLL_INPUT_MS) fail(`must be at least ${MIN_POLL_INPUT_MS} (1 s), got ${setting}`);
  }
  const policy = { ...DEFAULT_POLL_POLICY, ...(value as PollInput) };
  if (failures.length === 0 && policy.firstDelayMs > policy.maxDelayMs)
    failures.push({ property: "poll.firstDelayMs", reason: "must not exceed maxDelayMs" });
  return failures;
}

/**
 * The policy a job is polled with: the defaults, then the provider's tuning, then the resource's `poll`
 * input. The one place the three are merged.
 */
export function pollPolicyOf(
  provider: Partial<PollPolicy> | undefined,
  input: PollInput | undefined,
): PollPolicy {
  return { ...DEFAULT_POLL_POLICY, ...provider, ...input };
}
