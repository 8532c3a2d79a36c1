/**
 * The progress lines: one per change, and the same line again when nothing changed for a while, so
 * that a user whose CLI waits for a create (after a first Ctrl-C, say) sees the wait goes on.
 */
import * as assert from "node:assert/strict";
import type { IndexingJob } from "../provider/api/types";
import { ProgressReporter } from "../provider/indexing-job/messages";

const MINUTE = 60_000;

function job(indexed: number): IndexingJob {
  return {
    uuid: "3f2a9c1e-0000-4000-8000-000000000000",
    knowledge_base_uuid: "9c1e44d0-0000-4000-8000-000000000000",
    phase: "BATCH_JOB_PHASE_RUNNING",
    status: "INDEX_JOB_STATUS_IN_PROGRESS",
    data_source_jobs: [
      {
        data_source_uuid: "a",
        status: "DATA_SOURCE_STATUS_IN_PROGRESS",
        indexed_item_count: indexed,
        total_file_count: 10,
      },
    ],
  } as IndexingJob;
}

describe("progress lines", () => {
  it("print each change once, and an unchanged job after 1, 2, 4, then every 5 minutes", () => {
    const printed: string[] = [];
    let now = 0;
    const reporter = new ProgressReporter(
      (line) => printed.push(line),
      () => now,
    );
    // A poll every 30 s for 20 minutes, the job unchanged after its first change at 30 s.
    for (let t = 0; t <= 20 * MINUTE; t += 30_000) {
      now = t;
      reporter.observe(job(t === 0 ? 0 : 3));
    }
    const still = printed.filter((l) => l.includes("no change for"));
    assert.equal(printed.length - still.length, 2, "one line per change");
    assert.deepEqual(
      still.map((l) => /no change for (\S+)\)/.exec(l)?.[1]),
      ["1m", "3m", "7m", "12m", "17m"],
    );
    assert.match(
      still[0]!,
      /^indexing job 3f2a9c1e… of knowledge base 9c1e44d0…: RUNNING\/IN_PROGRESS.* \(no change for 1m\)$/,
    );
    // A change prints at once and starts the count again.
    now += 30_000;
    reporter.observe(job(5));
    now += MINUTE;
    reporter.observe(job(5));
    assert.match(printed.at(-1)!, /\(no change for 1m\)$/);
  });
});
