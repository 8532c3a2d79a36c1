/**
 * The poller on a manual clock: DigitalOcean's SDK waiter's schedule (less its GET at the start), one
 * poll placed by past runs, the deadline, errors, the API's lag and a shared budget.
 */
import * as assert from "node:assert/strict";
import type { IndexingJob } from "../provider/api/types";
import { DigitalOceanApiError } from "../provider/client";
import { JobBoard, type WaitResult } from "../provider/waiting/job-board";
import { PollSchedule, waitForJob, type WaitOptions } from "../provider/waiting/poller";
import { ManualClock } from "../simulator/manual-clock";

const SECOND = 1_000;
/** GETs of the SDK waiter after the one right after the start. */
const SDK_POLLS_S = [5, 10, 15, 25, 45, 75, 105, 135, 165, 195];

const iso = (ms: number, subSecond = false) =>
  new Date(ms).toISOString().replace(subSecond ? /Z$/ : /\.\d{3}Z$/, subSecond ? "123Z" : "Z");

/** A job that runs from `start` for `lengthMs`, as GET shows it, and when it was polled. */
function scriptedJob(clock: ManualClock, lengthMs: number, options: { subSecond?: boolean } = {}) {
  const start = clock.now();
  const polls: number[] = [];
  const at = (now: number): IndexingJob => {
    const ended = now >= start + lengthMs;
    return {
      uuid: "j",
      phase: ended ? "BATCH_JOB_PHASE_SUCCEEDED" : "BATCH_JOB_PHASE_RUNNING",
      status: ended ? "INDEX_JOB_STATUS_COMPLETED" : "INDEX_JOB_STATUS_RUNNING",
      created_at: iso(start, options.subSecond),
      updated_at: iso(ended ? start + lengthMs : now, options.subSecond),
    };
  };
  return {
    initial: at(start),
    polls,
    endsAt: start + lengthMs,
    fetch: async () => {
      polls.push((clock.now() - start) / SECOND);
      return at(clock.now());
    },
  };
}

/**
 * Runs a wait to its end, moving the clock straight to each wake-up. A wait that neither sleeps nor
 * ends (stuck behind a request that never answers) fails instead of hanging the run.
 */
async function drive<T>(clock: ManualClock, work: Promise<T>): Promise<T> {
  let done = false;
  const result = work.finally(() => (done = true));
  for (let idle = 0; !done;) {
    await new Promise((r) => setImmediate(r));
    const next = clock.nextWakeUp();
    if (done) break;
    if (next !== undefined) {
      idle = 0;
      clock.advance(next - clock.now());
    } else if (++idle > 1_000) throw new Error(`stuck at ${clock.now()}: nothing sleeps, nothing ends`);
  }
  return result;
}

function wait(clock: ManualClock, job: ReturnType<typeof scriptedJob>, options: Partial<WaitOptions> = {}) {
  return drive(
    clock,
    waitForJob(job.initial, job.fetch, { deadline: clock.now() + 3_600_000, clock, ...options }),
  );
}

describe("waitForJob", () => {
  it("polls on DigitalOcean's SDK waiter schedule, without its GET right after the start", async () => {
    const clock = new ManualClock();
    const job = scriptedJob(clock, 190 * SECOND);
    const result = await wait(clock, job);
    assert.equal(result.ended, true);
    assert.deepEqual(job.polls, SDK_POLLS_S);
  });

  it("is never later than the SDK waiter, with one call fewer, whatever the job's length", async () => {
    for (const seconds of [1, 3, 7.5, 14, 44, 61, 300, 599.5]) {
      const clock = new ManualClock();
      const job = scriptedJob(clock, seconds * SECOND);
      await wait(clock, job);
      const sdk = [0, ...SDK_POLLS_S, ...Array.from({ length: 40 }, (_, i) => 225 + 30 * i)];
      const sdkEnd = sdk.find((t) => t >= seconds) ?? Infinity;
      assert.equal(job.polls.at(-1), sdkEnd, `${seconds} s`);
      assert.equal(job.polls.length, sdk.filter((t) => t <= sdkEnd).length - 1, `${seconds} s`);
    }
  });

  it("polls once just after the end past runs make likely: a 10-minute job seen within 2 s", async () => {
    for (const subSecond of [false, true]) {
      const clock = new ManualClock(Date.parse("2026-01-01T00:00:00.400Z"));
      const job = scriptedJob(clock, 600 * SECOND, { subSecond });
      // The past runs took as long, measured on whole seconds (or finer).
      await wait(clock, job, { typicalRunMs: 600 * SECOND });
      const last = job.polls.at(-1) ?? 0;
      assert.ok(last >= 600 && last <= 602, `end seen at ${last} s`);
      assert.equal(last, 601);
      // Every poll before it is one of the SDK's.
      assert.deepEqual(job.polls.slice(0, -1), [
        ...SDK_POLLS_S,
        ...[225, 255, 285, 315, 345, 375, 405, 435, 465, 495, 525, 555, 585],
      ]);
    }
  });

  it("misleading past runs cost one call at most and never a later end", async () => {
    // A long run after quick ones: the guessed poll misses, the SDK's schedule goes on.
    const longClock = new ManualClock();
    const long = scriptedJob(longClock, 600 * SECOND);
    await wait(longClock, long, { typicalRunMs: 10 * SECOND });
    const plainClock = new ManualClock();
    const plain = scriptedJob(plainClock, 600 * SECOND);
    await wait(plainClock, plain);
    assert.equal(long.polls.at(-1), plain.polls.at(-1));
    assert.equal(long.polls.length, plain.polls.length + 1);
    // A quick run after long ones: ended before the guess, at an SDK poll; nothing extra.
    const quickClock = new ManualClock();
    const quick = scriptedJob(quickClock, 8 * SECOND);
    await wait(quickClock, quick, { typicalRunMs: 600 * SECOND });
    assert.deepEqual(quick.polls, [5, 10]);
  });

  it("counts a job's age from its own timestamps; a frozen updated_at reads as just created", () => {
    const at = Date.parse("2026-01-01T00:10:00Z");
    const running = (updated: string): IndexingJob => ({
      phase: "BATCH_JOB_PHASE_RUNNING",
      created_at: "2026-01-01T00:05:00Z",
      updated_at: updated,
    });
    const moving = new PollSchedule();
    moving.expectRun(6 * 60 * SECOND, at, running("2026-01-01T00:09:59Z"));
    // Created 4:59 ago by its own clock, expected to take 6 minutes: about 61 s from now.
    assert.equal(moving.next(at), 5 * SECOND);
    assert.equal(moving.next(at + 5 * SECOND), 5 * SECOND);
    assert.equal(moving.next(at + 10 * SECOND), 5 * SECOND);
    assert.equal(moving.next(at + 15 * SECOND), 10 * SECOND);
    assert.equal(moving.next(at + 25 * SECOND), 20 * SECOND);
    assert.equal(moving.next(at + 45 * SECOND), 17 * SECOND);
    const frozen = new PollSchedule();
    frozen.expectRun(6 * 60 * SECOND, at, running("2026-01-01T00:05:00Z"));
    assert.equal(frozen.next(at), 5 * SECOND);
  });

  it("follows a tuned schedule", async () => {
    const clock = new ManualClock();
    const job = scriptedJob(clock, 30 * SECOND);
    await wait(clock, job, { policy: { firstDelayMs: 2_000, firstDelayRepeats: 2, maxDelayMs: 8_000 } });
    assert.deepEqual(job.polls, [2, 4, 8, 16, 24, 32]);
  });

  it("returns { ended: false } at the deadline, with the last state seen", async () => {
    const clock = new ManualClock();
    const job = scriptedJob(clock, 60 * SECOND);
    const result = await wait(clock, job, { deadline: clock.now() + 20 * SECOND });
    assert.equal(result.ended, false);
    assert.equal(result.job.phase, "BATCH_JOB_PHASE_RUNNING");
    assert.deepEqual(job.polls, [5, 10, 15, 20]);
  });

  const failure = (status?: number) =>
    new DigitalOceanApiError({ kind: status ? "http" : "network", method: "GET", path: "/j", status });

  /** fetchJob failing with `errors` first, then showing the job ended. */
  function failingThenDone(clock: ManualClock, errors: DigitalOceanApiError[]) {
    const calls: number[] = [];
    const start = clock.now();
    return {
      calls,
      fetch: async (): Promise<IndexingJob> => {
        calls.push((clock.now() - start) / SECOND);
        const error = errors.shift();
        if (error) throw error;
        return { uuid: "j", phase: "BATCH_JOB_PHASE_SUCCEEDED", status: "INDEX_JOB_STATUS_COMPLETED" };
      },
    };
  }
  const running: IndexingJob = { uuid: "j", phase: "BATCH_JOB_PHASE_RUNNING" };

  it("waits out transient errors up to maxConsecutiveErrors, then gives up", async () => {
    const clock = new ManualClock();
    const ok = failingThenDone(clock, [failure(503), failure(), failure(429)]);
    const result = await drive(clock, waitForJob(running, ok.fetch, { deadline: Infinity, clock }));
    assert.equal(result.ended, true);
    assert.deepEqual(ok.calls, [5, 10, 15, 25]);
    const tooMany = failingThenDone(clock, [failure(500), failure(500), failure(500)]);
    const error = await drive(
      clock,
      waitForJob(running, tooMany.fetch, { deadline: Infinity, clock, maxConsecutiveErrors: 2 }).catch(
        (e) => e,
      ),
    );
    assert.ok(error instanceof DigitalOceanApiError && error.status === 500);
  });

  it("a 404 is the API's lag within notFoundGraceUntil, the job's loss after it", async () => {
    const clock = new ManualClock();
    const lagging = failingThenDone(clock, [failure(404), failure(404)]);
    const grace = { deadline: Infinity, clock, notFoundGraceUntil: clock.now() + 60 * SECOND };
    assert.equal((await drive(clock, waitForJob(running, lagging.fetch, grace))).ended, true);
    const lost = failingThenDone(clock, [failure(404)]);
    const error = await drive(
      clock,
      waitForJob(running, lost.fetch, { deadline: Infinity, clock }).catch((e) => e),
    );
    assert.ok(error instanceof DigitalOceanApiError && error.status === 404);
  });

  it("keeps waiting through phases it does not know, until a terminal one", async () => {
    const clock = new ManualClock();
    const phases = ["BATCH_JOB_PHASE_FUTURE", "BATCH_JOB_PHASE_UNKNOWN", "BATCH_JOB_PHASE_FAILED"];
    const result = await drive(
      clock,
      waitForJob(
        running,
        async () => ({ uuid: "j", phase: phases.shift(), status: "INDEX_JOB_STATUS_COMPLETED" }),
        {
          deadline: Infinity,
          clock,
        },
      ),
    );
    assert.equal(result.job.phase, "BATCH_JOB_PHASE_FAILED");
  });
});

describe("waitForJob: the deadline bounds each wait, whatever the API does", () => {
  /** One job of a row: how long it runs, its wait's deadline, from when its GETs hang. */
  interface JobRow {
    lengthS: number;
    deadlineS: number;
    hangsFromS?: number;
  }
  interface Row {
    name: string;
    /** Two or more jobs on a board that reads the account's list: it answers, or hangs. */
    listing?: "answers" | "hangs";
    jobs: JobRow[];
    /** Per job: when its wait settled, whether the job had ended, when its GETs went out. */
    expect: { settledS: number; ended: boolean; pollsS: number[] }[];
    /** When the listing in flight was stopped (the board emptied). */
    listingStoppedS?: number;
  }

  const rows: Row[] = [
    {
      name: "one job's GET hangs, another's answers: that one ends on time, the hanging one at its deadline",
      jobs: [
        { lengthS: Infinity, deadlineS: 20, hangsFromS: 5 },
        { lengthS: 12, deadlineS: 3_600 },
      ],
      expect: [
        { settledS: 20, ended: false, pollsS: [5] },
        { settledS: 15, ended: true, pollsS: [5, 10, 15] },
      ],
    },
    {
      name: "the last look, at the deadline, hangs: given up 2 s later",
      jobs: [{ lengthS: Infinity, deadlineS: 20, hangsFromS: 20 }],
      expect: [{ settledS: 22, ended: false, pollsS: [5, 10, 15, 20] }],
    },
    {
      name: "a GET that hangs just before the deadline is given its 2 s, then no other look",
      jobs: [{ lengthS: Infinity, deadlineS: 16, hangsFromS: 15 }],
      expect: [{ settledS: 17, ended: false, pollsS: [5, 10, 15] }],
    },
    {
      name: "with a listing: the job it does not show hangs in its own GET, the one it shows ends on time",
      listing: "answers",
      jobs: [
        { lengthS: Infinity, deadlineS: 20, hangsFromS: 0 },
        { lengthS: 12, deadlineS: 3_600 },
      ],
      // Listings every 2.5 s (two jobs each polled every 5 s) see the second end at 12.5 s.
      expect: [
        { settledS: 20, ended: false, pollsS: [5] },
        { settledS: 12.5, ended: true, pollsS: [] },
      ],
    },
    {
      name: "a listing that hangs holds the jobs' own GETs back 5 s at most, and is stopped when the board empties",
      listing: "hangs",
      jobs: [
        { lengthS: Infinity, deadlineS: 30 },
        { lengthS: 12, deadlineS: 3_600 },
      ],
      // The listing goes out at 2.5 s; the polls due at 5 s wait for it until 7.5 s.
      expect: [
        { settledS: 30, ended: false, pollsS: [7.5, 10, 15, 25, 30] },
        { settledS: 15, ended: true, pollsS: [7.5, 10, 15] },
      ],
      listingStoppedS: 30,
    },
  ];

  for (const row of rows) {
    it(row.name, async () => {
      const clock = new ManualClock();
      const t0 = clock.now();
      const at = () => (clock.now() - t0) / SECOND;
      const stateAt = (uuid: string, job: JobRow): IndexingJob => {
        const ended = at() >= job.lengthS;
        return {
          uuid,
          phase: ended ? "BATCH_JOB_PHASE_SUCCEEDED" : "BATCH_JOB_PHASE_RUNNING",
          status: ended ? "INDEX_JOB_STATUS_COMPLETED" : "INDEX_JOB_STATUS_RUNNING",
          data_source_jobs: [{}],
        };
      };
      /** A request that never answers; when stopped, says when. */
      const hang = (signal: AbortSignal | undefined, stoppedAt: number[]) =>
        new Promise<never>((_, reject) =>
          signal?.addEventListener("abort", () => (stoppedAt.push(at()), reject(signal.reason)), {
            once: true,
          }),
        );
      const listingStopped: number[] = [];
      const board = new JobBoard(
        row.listing &&
          (async (_perPage: number, signal?: AbortSignal) => {
            if (row.listing === "hangs") return hang(signal, listingStopped);
            // Shows the jobs whose GETs answer; the API's lag hides the other.
            const items = row.jobs.flatMap((job, i) =>
              job.hangsFromS === undefined ? [stateAt(`j${i}`, job)] : [],
            );
            return { items, meta: { total: items.length, pages: 1 } };
          }),
        clock,
      );
      const polls = row.jobs.map((): number[] => []);
      const stopped = row.jobs.map((): number[] => []);
      const settled: { at: number; result: WaitResult }[] = [];
      const waits = row.jobs.map((job, i) =>
        waitForJob(
          stateAt(`j${i}`, job),
          // The signal optional, so that this test runs on a poller that passes none.
          async (signal?: AbortSignal) => {
            polls[i]?.push(at());
            if (job.hangsFromS !== undefined && at() >= job.hangsFromS) return hang(signal, stopped[i] ?? []);
            return stateAt(`j${i}`, job);
          },
          { deadline: t0 + job.deadlineS * SECOND, board },
        ).then((result) => (settled[i] = { at: at(), result })),
      );
      await drive(clock, Promise.all(waits));
      row.expect.forEach((expected, i) => {
        const got = settled[i];
        assert.equal(got?.at, expected.settledS, `job ${i} settled at ${got?.at} s`);
        assert.equal(got?.result.ended, expected.ended, `job ${i} ended`);
        assert.deepEqual(polls[i], expected.pollsS, `job ${i}'s GETs`);
        const hung = row.jobs[i]?.hangsFromS !== undefined && expected.pollsS.length > 0;
        // Its GET in flight was stopped when its wait settled.
        assert.deepEqual(stopped[i], hung ? [expected.settledS] : [], `job ${i}'s GET stopped`);
      });
      if (row.listingStoppedS !== undefined) assert.deepEqual(listingStopped, [row.listingStoppedS]);
    });
  }
});
