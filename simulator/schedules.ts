/**
 * Scheduled indexing: schedules are stored and shown with their next run time, and `runDue` starts the
 * indexing job of a schedule whose time has come (all data sources of its knowledge base).
 */
import type { components } from "../provider/api/schema";
import { badRequest, notFound } from "./errors";
import { isoTime } from "./wire-time";
import { newUuid } from "./random";

type WireScheduledIndexing = components["schemas"]["apiScheduledIndexingInfo"];

interface ScheduleRecord {
  uuid: string;
  knowledgeBaseUuid: string;
  /** Cron day numbers: 0 or 7 is Sunday, 1 Monday. Empty means every day. */
  days: number[];
  /** "HH:MM" or "HH:MM:SS", UTC. */
  time: string;
  createdAt: number;
  updatedAt: number;
  deletedAt?: number;
  /** When the schedule last started a job. */
  lastRanAt?: number;
  /** Runs due up to this time have been taken care of. */
  checkedUpTo: number;
}

const TIME_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/;
const DAY_MS = 86_400_000;

export class Schedules {
  readonly #byUuid = new Map<string, ScheduleRecord>();

  /** Creates the schedule of a knowledge base, replacing the one it had. */
  create(knowledgeBaseUuid: string, days: number[], time: string, now: number): WireScheduledIndexing {
    if (!TIME_PATTERN.test(time)) throw badRequest(`time must be HH:MM (UTC), got "${time}"`);
    if (days.some((day) => !Number.isInteger(day) || day < 0 || day > 7)) {
      throw badRequest("days must be cron day numbers between 0 and 7");
    }
    const previous = this.#activeOf(knowledgeBaseUuid);
    if (previous) previous.deletedAt = now;
    const record: ScheduleRecord = {
      uuid: newUuid(),
      knowledgeBaseUuid,
      days: [...days],
      time,
      createdAt: now,
      updatedAt: now,
      checkedUpTo: now,
    };
    this.#byUuid.set(record.uuid, record);
    return render(record, now);
  }

  forKnowledgeBase(knowledgeBaseUuid: string, now: number): WireScheduledIndexing {
    const record = this.#activeOf(knowledgeBaseUuid);
    if (!record) throw notFound(`knowledge base ${knowledgeBaseUuid} has no scheduled indexing`);
    return render(record, now);
  }

  delete(uuid: string, now: number): WireScheduledIndexing {
    const record = this.#byUuid.get(uuid);
    if (!record || record.deletedAt !== undefined) throw notFound(`scheduled indexing ${uuid} not found`);
    record.deletedAt = now;
    record.updatedAt = now;
    return render(record, now);
  }

  /**
   * Starts the job of every active schedule that came due since the last check. The simulator has no
   * timer: it checks on each request, so a run due since the last request starts at that request's
   * time. Runs missed in between count as one. A start the API refuses (a job already running) is
   * skipped, as a busy knowledge base skips its scheduled run.
   */
  runDue(now: number, start: (knowledgeBaseUuid: string) => void): void {
    for (const record of this.#byUuid.values()) {
      if (record.deletedAt !== undefined || nextRun(record, record.checkedUpTo) > now) continue;
      record.checkedUpTo = now;
      record.lastRanAt = now;
      record.updatedAt = now;
      try {
        start(record.knowledgeBaseUuid);
      } catch {
        // Refused (busy knowledge base, no data sources): this run is skipped.
      }
    }
  }

  #activeOf(knowledgeBaseUuid: string): ScheduleRecord | undefined {
    return [...this.#byUuid.values()].find(
      (record) => record.knowledgeBaseUuid === knowledgeBaseUuid && record.deletedAt === undefined,
    );
  }
}

function render(record: ScheduleRecord, now: number): WireScheduledIndexing {
  const active = record.deletedAt === undefined;
  const rendered: WireScheduledIndexing = {
    uuid: record.uuid,
    knowledge_base_uuid: record.knowledgeBaseUuid,
    days: [...record.days],
    time: record.time,
    is_active: active,
    created_at: isoTime(record.createdAt),
    updated_at: isoTime(record.updatedAt),
  };
  if (record.lastRanAt !== undefined) rendered.last_ran_at = isoTime(record.lastRanAt);
  if (active) rendered.next_run_at = isoTime(nextRun(record, now));
  else if (record.deletedAt !== undefined) rendered.deleted_at = isoTime(record.deletedAt);
  return rendered;
}

/** The first moment after `now` that falls on one of the schedule's days at its time of day. */
function nextRun(record: ScheduleRecord, now: number): number {
  const [hours = 0, minutes = 0, seconds = 0] = record.time.split(":").map(Number);
  const timeOfDay = ((hours * 60 + minutes) * 60 + seconds) * 1000;
  const days = new Set(record.days.map((day) => day % 7));
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  for (let offset = 0; offset <= 7; offset++) {
    const candidate = today + offset * DAY_MS + timeOfDay;
    if (candidate > now && (days.size === 0 || days.has(new Date(candidate).getUTCDay()))) return candidate;
  }
  return today + 7 * DAY_MS + timeOfDay;
}
