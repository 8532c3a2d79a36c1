/**
 * IndexingSchedule's inputs as the provider receives them, and their validation in `check`.
 */
import {
  API_INPUT_NAMES,
  InputChecks,
  isUnknown,
  type ApiInputs,
  type CheckFailure,
} from "../host/input-checks";

/** Inputs in the engine's wire form. Every field may also be the preview's unknown sentinel. */
export interface IndexingScheduleInputs extends ApiInputs {
  knowledgeBaseUuid: string;
  /** "HH:MM", UTC. */
  time: string;
  /** Cron day numbers: Monday = 1 ... Sunday = 7 (or 0). */
  days: number[];
}

export const SCHEDULE_INPUT_NAMES: readonly (keyof IndexingScheduleInputs)[] = [
  "knowledgeBaseUuid",
  "time",
  "days",
  ...API_INPUT_NAMES,
];
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

const absent = (value: unknown): boolean => value === undefined || value === null;

/**
 * Validates inputs before any API call. Each failure names its property and what is wrong with it.
 * Values not known yet (preview) pass.
 */
export function checkScheduleInputs(news: Record<string, unknown>): CheckFailure[] {
  const checks = new InputChecks(news);
  const fail = (property: string, reason: string) => checks.fail(property, reason);
  checks.onlyInputs(SCHEDULE_INPUT_NAMES, "IndexingSchedule");
  checks.knowledgeBaseUuid();

  const time = news.time;
  if (absent(time) || time === "") fail("time", 'is required ("HH:MM", UTC)');
  else if (!isUnknown(time) && (typeof time !== "string" || !TIME.test(time)))
    fail("time", `must be "HH:MM" in UTC (00:00 to 23:59), got ${JSON.stringify(time)}`);

  const days = news.days;
  if (absent(days)) fail("days", "is required: day numbers 1 (Monday) to 7 (Sunday, also 0)");
  else if (!isUnknown(days)) {
    if (!Array.isArray(days)) fail("days", "must be a list of day numbers 1 (Monday) to 7 (Sunday, also 0)");
    else if (days.length === 0) fail("days", "must name at least one day");
    else {
      const seen: number[] = [];
      days.forEach((day: unknown, index) => {
        const property = `days[${index}]`;
        if (isUnknown(day)) return;
        if (typeof day !== "number" || !Number.isInteger(day) || day < 0 || day > 7)
          fail(property, `must be a day number 1 (Monday) to 7 (Sunday, also 0), got ${JSON.stringify(day)}`);
        else if (seen.includes(day % 7)) fail(property, `repeats day ${day}`);
        else seen.push(day % 7);
      });
    }
  }
  checks.apiInputs();
  return checks.failures;
}

/**
 * The days as sent to the API: ascending, Sunday as 7 (the spec counts as cron does from Monday = 1;
 * 0 is accepted from users as cron's other Sunday).
 */
export function normalDays(days: readonly number[] | undefined): number[] {
  const out: number[] = [];
  for (const day of days ?? []) {
    const normal = day === 0 ? 7 : day;
    if (!out.includes(normal)) out.push(normal);
  }
  return out.sort((a, b) => a - b);
}
