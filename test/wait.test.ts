/**
 * The poller on a ManualClock against a scripted job: how many polls, when, and what it returns. No
 * real time passes; every assertion is about counts, order and clock time.
 */
import * as assert from "node:assert/strict";
import type { IndexedDataSource, IndexingJob } from "../provider/api/types";
import { DigitalOceanApiError } from "../provider/client";
import { ManualClock } from "../provider/clock";
import { DEFAULT_POLL_POLICY, PollSchedule, waitForJob, type WaitOptions } from "../provider/wait";

const SECOND = 1_000;

interface Script {
  /** Time from the start answer to RUNNING. */
  pendingMs: number;
  /** Time from RUNNING to the end; Infinity for a job that never ends. */
  durationMs: number;
  /** Items per data source; the sources run one after another, each for a share of time like its items. */
  sources: number[];
  /** Share of a source's items done at a share of its time. Default: steady. */
  curve?: (elapsed: number) => number;
  /** Phase shown while running. Default RUNNING. */
  runningPhase?: string;
}

const iso = (ms: number) => new Date(Math.floor(ms / SECOND) * SECOND).toISOString().replace(".000Z", "Z");

/** A job that follows `script` on `clock`, as the API would show it; counts the polls. */
function scriptedJob(clock: ManualClock, script: Script) {
  const createdAt = clock.now();
  const runningAt = createdAt + script.pendingMs;
  const endsAt = runningAt + script.durationMs;
  const total = script.sources.reduce((sum, n) => sum + n, 0);
  // A job that never ends still needs finite time windows for its sources.
  const span = Number.isFinite(script.durationMs) ? script.durationMs : 1e12;
  const curve = script.curve ?? ((elapsed: number) => elapsed);
  const polls: number[] = [];

  const render = (now: number): IndexingJob => {
    const base = { uuid: "job-1", created_at: iso(createdAt), updated_at: iso(now), total_datasources: 1 };
    if (now < runningAt)
      return { ...base, phase: "BATCH_JOB_PHASE_PENDING", status: "INDEX_JOB_STATUS_PENDING" };
    let before = 0;
    const data_source_jobs = script.sources.map((items, i): IndexedDataSource => {
      const from = runningAt + (span * before) / total;
      const to = runningAt + (span * (before += items)) / total;
      const started = now >= from;
      const done = now >= to;
      const elapsed = (now - from) / (to - from);
      return {
        data_source_uuid: `source-${i}`,
        total_file_count: items,
        indexed_item_count: done ? items : started ? Math.floor(items * Math.min(1, curve(elapsed))) : 0,
        ...(started && { started_at: iso(from) }),
        ...(done && { completed_at: iso(to), status: "DATA_SOURCE_STATUS_UPDATED" }),
      };
    });
    const ended = now >= endsAt;
    return {
      ...base,
      phase: ended ? "BATCH_JOB_PHASE_SUCCEEDED" : (script.runningPhase ?? "BATCH_JOB_PHASE_RUNNING"),
      status: ended ? "INDEX_JOB_STATUS_COMPLETED" : "INDEX_JOB_STATUS_IN_PROGRESS",
      started_at: iso(runningAt),
      data_source_jobs,
      ...(ended && { finished_at: iso(endsAt) }),
    };
  };

  return {
    endsAt,
    polls,
    initial: render(createdAt),
    fetchJob: async (): Promise<IndexingJob> => {
      polls.push(clock.now());
      return render(clock.now());
    },
  };
}

/** Runs `waitForJob`, moving the clock to each wake-up as soon as the poller sleeps. */
async function drive<T>(clock: ManualClock, work: Promise<T>): Promise<T> {
  let settled = false;
  const done = work.finally(() => (settled = true));
  done.catch(() => undefined);
  while (!settled) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const wakeUp = clock.nextWakeUp();
    if (!settled && wakeUp !== undefined) clock.advance(wakeUp - clock.now());
  }
  return done;
}

function wait(clock: ManualClock, job: ReturnType<typeof scriptedJob>, options: Partial<WaitOptions> = {}) {
  const deadline = clock.now() + 24 * 3_600 * SECOND;
  return drive(
    clock,
    waitForJob(job.initial, job.fetchJob, { deadline, clock, random: () => 0.5, ...options }),
  );
}

const gaps = (times: readonly number[]) => times.slice(1).map((t, i) => t - (times[i] ?? t));

/** Counts that stall for whole stretches and then jump: the same end, uneven on the way. */
const stallsAndJumps = (elapsed: number) =>
  elapsed < 0.3
    ? elapsed / 3
    : elapsed < 0.6
      ? 0.1
      : elapsed < 0.7
        ? 0.1 + (elapsed - 0.6) * 7
        : 0.8 + (elapsed - 0.7) * 0.6;

const networkError = () =>
  new DigitalOceanApiError({ kind: "network", method: "GET", path: "/x", detail: "reset" });

describe("waitForJob on a manual clock", () => {
  let clock: ManualClock;
  beforeEach(() => {
    // Not on a whole second: the API's timestamps are rounded down, as they would be.
    clock = new ManualClock(Date.parse("2026-01-01T00:00:00Z") + 437);
  });

  describe("steady progress", () => {
    for (const durationMs of [10 * SECOND, 2 * 60 * SECOND, 10 * 60 * SECOND]) {
      it(`a ${durationMs / SECOND} s job: a handful of polls, the end noticed within 2 s`, async () => {
        const job = scriptedJob(clock, { pendingMs: 2 * SECOND, durationMs, sources: [150, 600, 450] });
        const result = await wait(clock, job);
        assert.equal(result.ended, true);
        assert.equal(result.job.phase, "BATCH_JOB_PHASE_SUCCEEDED");
        assert.ok(job.polls.length <= 6, `${job.polls.length} polls`);
        const latency = clock.now() - job.endsAt;
        assert.ok(latency >= 0 && latency <= 2 * SECOND, `noticed ${latency} ms after the end`);
      });
    }

    it("a 10 s job: one count and the job's start place the end, polled once just after it", async () => {
      const start = clock.now();
      const job = scriptedJob(clock, { pendingMs: 2 * SECOND, durationMs: 10 * SECOND, sources: [1_200] });
      await wait(clock, job);
      // The age-based poll at 10 s would only bring a second count: the likely end takes its place.
      assert.equal(job.polls[0], start + 5 * SECOND);
      assert.equal(job.polls.length, 2, `polls at ${job.polls.map((t) => t - start).join(", ")} ms`);
      const latency = clock.now() - job.endsAt;
      assert.ok(latency >= 0 && latency <= SECOND, `noticed ${latency} ms after the end`);
    });

    it("one count that places the end too early: the poll there brings the second count, no call lost", async () => {
      const start = clock.now();
      // Fast at first, then slower: the first count (at 5 s) makes 11.6 s likely; the end comes at 12 s.
      const job = scriptedJob(clock, {
        pendingMs: 2 * SECOND,
        durationMs: 10 * SECOND,
        sources: [1_200],
        curve: (elapsed) => (elapsed < 0.3 ? elapsed * (0.35 / 0.3) : 0.35 + (elapsed - 0.3) * (0.65 / 0.7)),
      });
      await wait(clock, job);
      const polls = job.polls.map((t) => t - start);
      assert.ok(
        polls[1] !== undefined && polls[1] > 10 * SECOND && polls[1] < job.endsAt - start,
        `polls at ${polls.join(", ")} ms`,
      );
      assert.ok(polls.length <= 3, `polls at ${polls.join(", ")} ms`);
      // No later than the SDK waiter's poll at 15 s.
      assert.ok(clock.now() - start <= 15 * SECOND, `noticed at ${clock.now() - start} ms`);
    });

    it("one count that places the end too late: noticed at most half a step after the SDK waiter", async () => {
      const start = clock.now();
      // Slow at first, then fast: the first count makes 12 s likely; the end comes at 9.5 s.
      const job = scriptedJob(clock, {
        pendingMs: 2 * SECOND,
        durationMs: 7.5 * SECOND,
        sources: [1_200],
        curve: (elapsed) => (elapsed < 0.4 ? elapsed * 0.75 : 0.3 + (elapsed - 0.4) * (0.7 / 0.6)),
      });
      await wait(clock, job);
      const polls = job.polls.map((t) => t - start);
      assert.equal(polls.length, 2, `polls at ${polls.join(", ")} ms`);
      // The SDK waiter sees it at 10 s; the step after is 5 s.
      assert.ok(clock.now() - start <= 12.5 * SECOND, `noticed at ${clock.now() - start} ms`);
    });

    it("one count never moves an age-based poll more than 3 s: a wrong guess costs at most that", async () => {
      const start = clock.now();
      // Pending until 12 s: the first count, at 15 s, makes 29 s likely, 4 s past the poll at 25 s.
      const job = scriptedJob(clock, { pendingMs: 12 * SECOND, durationMs: 17 * SECOND, sources: [1_200] });
      await wait(clock, job);
      const polls = job.polls.map((t) => t - start);
      assert.deepEqual(
        polls.slice(0, 4),
        [5, 10, 15, 25].map((s) => s * SECOND),
        `polls at ${polls.join(", ")} ms`,
      );
      // The second count confirms the end: a poll just after it.
      const latency = clock.now() - job.endsAt;
      assert.ok(latency >= 0 && latency <= SECOND, `noticed ${latency} ms after the end`);
    });

    describe("with the knowledge base's past runs", () => {
      const silent = () => 0;
      /** Polls, in seconds after the start, of a job of no counts pending 2 s, after past runs as given. */
      const pollsAfterPastRuns = async (durationS: number, typicalRunS: number) => {
        const start = clock.now();
        const job = scriptedJob(clock, {
          pendingMs: 2 * SECOND,
          durationMs: durationS * SECOND,
          sources: [300],
          curve: silent,
        });
        await wait(clock, job, { typicalRunMs: typicalRunS * SECOND });
        return job.polls.map((t) => (t - start) / SECOND);
      };

      it("no counts until the end, as long as past runs: one poll just after that end", async () => {
        // The SDK waiter: 0, 5, 10, 15, 25, 45 s. The age-based schedule alone would see it at 45 s.
        assert.deepEqual(await pollsAfterPastRuns(26, 28), [5, 10, 15, 25, 29]);
      });

      it("past runs that mislead cost one call, never a later end", async () => {
        // Every age-based poll stays: as many calls as the SDK waiter's 6, the end seen when it sees it.
        assert.deepEqual(await pollsAfterPastRuns(38, 18), [5, 10, 15, 19, 25, 45]);
      });

      it("counts the age of a job found running from its own timestamps", async () => {
        const job = scriptedJob(clock, {
          pendingMs: 2 * SECOND,
          durationMs: 60 * SECOND,
          sources: [300],
          curve: silent,
        });
        // Found 20 s after it was created (resumed, or adopted): the past runs' 40 s end 20 s from now.
        clock.advance(20 * SECOND);
        const found = clock.now();
        const seen = await job.fetchJob();
        job.polls.length = 0;
        await drive(
          clock,
          waitForJob(seen, job.fetchJob, {
            deadline: found + 3_600 * SECOND,
            clock,
            random: () => 0.5,
            typicalRunMs: 40 * SECOND,
          }),
        );
        assert.equal(
          job.polls[3],
          found + 21 * SECOND,
          `polls at ${job.polls.map((t) => t - found).join(", ")} ms`,
        );
      });
    });

    it("takes the start answer as the first observation and waits firstDelayMs before polling", async () => {
      const start = clock.now();
      const job = scriptedJob(clock, { pendingMs: 2 * SECOND, durationMs: 60 * SECOND, sources: [100] });
      await wait(clock, job);
      assert.ok((job.polls[0] ?? 0) - start >= DEFAULT_POLL_POLICY.firstDelayMs);
    });

    it("predicts a job already running (a resumed wait) from its first two counts", async () => {
      const job = scriptedJob(clock, { pendingMs: 0, durationMs: 10 * 60 * SECOND, sources: [1_000] });
      clock.advance(5 * 60 * SECOND);
      const resumedAt = clock.now();
      const halfway = await job.fetchJob();
      job.polls.length = 0;
      const result = await drive(
        clock,
        waitForJob(halfway, job.fetchJob, {
          deadline: clock.now() + 3_600 * SECOND,
          clock,
          random: () => 0.5,
        }),
      );
      assert.equal(result.ended, true);
      assert.ok(job.polls.length <= 4, `${job.polls.length} polls`);
      assert.equal(job.polls[0], resumedAt + DEFAULT_POLL_POLICY.firstDelayMs);
      assert.ok((job.polls[1] ?? 0) - resumedAt > 60 * SECOND, "the second poll is placed by the prediction");
      assert.ok(clock.now() - job.endsAt <= 2 * SECOND);
    });
  });

  describe("uneven progress", () => {
    it("counts that stall and jump in each data source: fewer polls than the SDK waiter, end soon noticed", async () => {
      const job = scriptedJob(clock, {
        pendingMs: 2 * SECOND,
        durationMs: 10 * 60 * SECOND,
        sources: [150, 600, 450],
        curve: stallsAndJumps,
      });
      const result = await wait(clock, job);
      assert.equal(result.ended, true);
      const latency = clock.now() - job.endsAt;
      assert.ok(latency <= DEFAULT_POLL_POLICY.maxDelayMs, `noticed ${latency} ms after the end`);
      // The DO SDK waiter polls 25 times for this job.
      assert.ok(job.polls.length < 25, `${job.polls.length} polls`);
    });

    it("counts that stall and jump in a single data source: no long leaps, end soon noticed", async () => {
      const job = scriptedJob(clock, {
        pendingMs: 2 * SECOND,
        durationMs: 10 * 60 * SECOND,
        sources: [1_200],
        curve: stallsAndJumps,
      });
      const result = await wait(clock, job);
      assert.equal(result.ended, true);
      const latency = clock.now() - job.endsAt;
      assert.ok(latency <= DEFAULT_POLL_POLICY.maxDelayMs, `noticed ${latency} ms after the end`);
      // Before the counts turn uneven, steady progress may be followed further.
      const unevenFrom = job.polls.findIndex((t) => t - job.endsAt > -400 * SECOND);
      assert.ok(gaps(job.polls.slice(unevenFrom)).every((w) => w <= DEFAULT_POLL_POLICY.maxDelayMs));
    });

    it("counts stuck at zero: waits back off, capped at maxDelayMs, until the deadline", async () => {
      const job = scriptedJob(clock, {
        pendingMs: SECOND,
        durationMs: Infinity,
        sources: [500],
        curve: () => 0,
      });
      const deadline = clock.now() + 10 * 60 * SECOND;
      const result = await wait(clock, job, { deadline });
      assert.equal(result.ended, false);
      assert.equal(clock.now(), deadline);
      // The last wait is cut short by the deadline.
      const waits = gaps(job.polls).slice(0, -1);
      assert.ok(waits.every((w) => w <= DEFAULT_POLL_POLICY.maxDelayMs));
      assert.ok(
        waits.slice(1).every((w, i) => w >= (waits[i] ?? 0)),
        "waits grow",
      );
      assert.equal(Math.max(...waits), DEFAULT_POLL_POLICY.maxDelayMs);
    });

    it("counts stuck half-way: waits stay within maxDelayMs", async () => {
      const job = scriptedJob(clock, {
        pendingMs: SECOND,
        durationMs: Infinity,
        sources: [500],
        curve: () => 0.5,
      });
      const result = await wait(clock, job, { deadline: clock.now() + 20 * 60 * SECOND });
      assert.equal(result.ended, false);
      assert.ok(gaps(job.polls).every((w) => w <= DEFAULT_POLL_POLICY.maxDelayMs));
    });

    it("a job that overruns the predicted end: waits grow again instead of polling every second", async () => {
      // 100% of the items after 60 s, but the job only ends after 5 minutes.
      const job = scriptedJob(clock, {
        pendingMs: 0,
        durationMs: 5 * 60 * SECOND,
        sources: [300],
        curve: (elapsed) => Math.min(1, elapsed * 5),
      });
      const start = clock.now();
      const result = await wait(clock, job);
      assert.equal(result.ended, true);
      const overrun = job.polls.filter((t) => t >= start + 60 * SECOND);
      assert.ok(overrun.length <= 16, `${overrun.length} polls in the 4 minutes at 100%`);
      const waits = gaps(overrun);
      assert.ok(waits.every((w) => w <= DEFAULT_POLL_POLICY.maxDelayMs));
      assert.equal(Math.max(...waits), DEFAULT_POLL_POLICY.maxDelayMs);
    });
  });

  describe("short jobs and jobs without counts", () => {
    const sdkPolls = [0, 5, 10, 15, 25, 45, 75, 105, 135, 165, 195, 225].map((t) => t * SECOND);
    /** When DigitalOcean's SDK waiter, started with the job, would first see it ended. */
    const sdkSees = (start: number, endsAt: number) =>
      start + (sdkPolls.find((t) => start + t >= endsAt) ?? 0);

    for (const durationMs of [1 * SECOND, 3 * SECOND]) {
      it(`a ${durationMs / SECOND} s job (a reindex with no changes): one GET, at the SDK waiter's first poll`, async () => {
        const start = clock.now();
        const job = scriptedJob(clock, { pendingMs: SECOND, durationMs, sources: [10, 20] });
        const result = await wait(clock, job);
        assert.equal(result.ended, true);
        assert.deepEqual(job.polls, [start + 5 * SECOND]);
      });
    }

    for (const curve of [() => 0, undefined]) {
      const what = curve ? "no counts until the end" : "counts only as each data source ends";
      it(`${what}: never later than the SDK waiter, with fewer calls`, async () => {
        for (const durationMs of [12, 40, 150].map((s) => s * SECOND)) {
          const start = clock.now();
          const job = scriptedJob(clock, {
            pendingMs: SECOND,
            durationMs,
            sources: [100, 300],
            curve: curve ?? ((elapsed) => (elapsed >= 1 ? 1 : 0)),
          });
          const result = await wait(clock, job);
          assert.equal(result.ended, true);
          assert.ok(
            clock.now() <= sdkSees(start, job.endsAt),
            `${durationMs} ms job seen at ${clock.now() - start}`,
          );
          const sdkCalls = sdkPolls.filter((t) => start + t <= sdkSees(start, job.endsAt)).length;
          assert.ok(job.polls.length < sdkCalls, `${job.polls.length} polls vs the SDK waiter's ${sdkCalls}`);
        }
      });
    }

    it("one count alone does not let the poller leap to a far end: a second one must agree", async () => {
      const start = clock.now();
      const job = scriptedJob(clock, { pendingMs: SECOND, durationMs: 10 * 60 * SECOND, sources: [1_200] });
      await wait(clock, job);
      assert.deepEqual(job.polls.slice(0, 2), [start + 5 * SECOND, start + 10 * SECOND]);
      assert.ok((job.polls[2] ?? 0) - start > 15 * SECOND, "the second count lets it skip ahead");
    });
  });

  describe("a request budget shared with other waits", () => {
    it("polls no sooner than the wait's fair share, re-counted as waits join, and leaves at the end", async () => {
      let waits = 0;
      const share = {
        joinWait: () => {
          waits++;
          return () => void waits--;
        },
        fairPollIntervalMs: () => waits * 20 * SECOND,
      };
      const job = scriptedJob(clock, { pendingMs: SECOND, durationMs: 3 * 60 * SECOND, sources: [50] });
      const start = clock.now();
      const waiting = wait(clock, job, { share });
      await new Promise((r) => setImmediate(r));
      assert.equal(waits, 1);
      // Another job's wait joins: this one's share halves before its first poll is due.
      waits++;
      await waiting;
      assert.equal(waits, 1, "left the budget when done");
      assert.ok(
        (job.polls[0] ?? 0) - start >= 40 * SECOND,
        `first poll after ${(job.polls[0] ?? 0) - start} ms`,
      );
      assert.ok(gaps(job.polls).every((g) => g >= 40 * SECOND));
    });
  });

  describe("deadline, errors and unknown states", () => {
    it("returns { ended: false } at the deadline, with the last state seen", async () => {
      const job = scriptedJob(clock, { pendingMs: SECOND, durationMs: 3_600 * SECOND, sources: [100] });
      const deadline = clock.now() + 45 * SECOND;
      const result = await wait(clock, job, { deadline });
      assert.equal(result.ended, false);
      assert.equal(result.job.phase, "BATCH_JOB_PHASE_RUNNING");
      assert.equal(clock.now(), deadline);
      assert.ok(job.polls.every((t) => t <= deadline));
    });

    it("tolerates transient errors up to maxConsecutiveErrors", async () => {
      const job = scriptedJob(clock, { pendingMs: SECOND, durationMs: 20 * SECOND, sources: [100] });
      let failures = 0;
      const flaky = async () => {
        if (failures++ < 3) throw networkError();
        return job.fetchJob();
      };
      const result = await drive(
        clock,
        waitForJob(job.initial, flaky, {
          deadline: clock.now() + 3_600 * SECOND,
          clock,
          maxConsecutiveErrors: 3,
        }),
      );
      assert.equal(result.ended, true);
    });

    it("gives up after more consecutive transient errors than allowed", async () => {
      let calls = 0;
      const broken = async (): Promise<IndexingJob> => {
        calls++;
        throw networkError();
      };
      const job = scriptedJob(clock, { pendingMs: SECOND, durationMs: 20 * SECOND, sources: [100] });
      const options = { deadline: clock.now() + 3_600 * SECOND, clock, maxConsecutiveErrors: 2 };
      await assert.rejects(drive(clock, waitForJob(job.initial, broken, options)), DigitalOceanApiError);
      assert.equal(calls, 3);
    });

    it("rethrows a 404 at once", async () => {
      let calls = 0;
      const gone = async (): Promise<IndexingJob> => {
        calls++;
        throw new DigitalOceanApiError({ kind: "http", status: 404, method: "GET", path: "/x" });
      };
      const job = scriptedJob(clock, { pendingMs: SECOND, durationMs: 20 * SECOND, sources: [100] });
      const options = { deadline: clock.now() + 3_600 * SECOND, clock };
      await assert.rejects(drive(clock, waitForJob(job.initial, gone, options)), /404/);
      assert.equal(calls, 1);
    });

    it("keeps waiting through phases it does not know", async () => {
      const job = scriptedJob(clock, {
        pendingMs: SECOND,
        durationMs: 40 * SECOND,
        sources: [100],
        runningPhase: "BATCH_JOB_PHASE_SOMETHING_NEW",
      });
      const result = await wait(clock, job);
      assert.equal(result.ended, true);
      assert.equal(result.job.phase, "BATCH_JOB_PHASE_SUCCEEDED");
      assert.ok(job.polls.length >= 2);
      assert.ok(clock.now() >= job.endsAt);
    });
  });
});

describe("PollSchedule", () => {
  const pending: IndexingJob = { phase: "BATCH_JOB_PHASE_PENDING" };

  it("polls a pending job on DigitalOcean's SDK waiter schedule: 5, 10, 15, 25, 45, 75, 105 s", () => {
    const schedule = new PollSchedule({}, () => 0.5);
    const times: number[] = [];
    let at = 0;
    for (let i = 0; i < 7; i++) times.push((at += schedule.next(at, pending)));
    assert.deepEqual(
      times,
      [5, 10, 15, 25, 45, 75, 105].map((s) => s * SECOND),
    );
  });

  it("follows a tuned schedule, between minDelayMs and maxDelayMs", () => {
    const schedule = new PollSchedule({ firstDelayMs: 2_000, firstDelayRepeats: 1, maxDelayMs: 10_000 });
    const waits: number[] = [];
    let at = 0;
    for (let i = 0; i < 6; i++) {
      const delay = schedule.next(at, pending);
      waits.push(delay);
      at += delay;
    }
    assert.deepEqual(waits, [2_000, 4_000, 8_000, 10_000, 10_000, 10_000]);
  });

  it("after a failed poll, keeps to the schedule counted from the first sight", () => {
    const schedule = new PollSchedule();
    assert.equal(schedule.next(0, pending), 5 * SECOND);
    assert.equal(schedule.afterError(5 * SECOND), 5 * SECOND);
    assert.equal(schedule.afterError(12 * SECOND), 3 * SECOND);
  });
});
