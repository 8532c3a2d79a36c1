import * as assert from "node:assert/strict";
import { diffInputs } from "../provider/indexing-job/diff";
import { parseDuration, UNKNOWN } from "../provider/host/input-checks";
import { checkInputs, settingsOf } from "../provider/indexing-job/inputs";
import { progressOf } from "../provider/indexing-job/job-state";
import { outcomeOf } from "../provider/waiting/outcome";
import { jobOutputs, stateOf, withInputs } from "../provider/indexing-job/outputs";

const KB = "11111111-1111-4111-8111-111111111111";
const DS = "22222222-2222-4222-8222-222222222222";

describe("inputs", () => {
  it("parses durations like Go's, and rejects what is not one", () => {
    assert.equal(parseDuration("90s"), 90_000);
    assert.equal(parseDuration("45m"), 2_700_000);
    assert.equal(parseDuration("2h"), 7_200_000);
    assert.equal(parseDuration("1h30m"), 5_400_000);
    assert.equal(parseDuration("1.5h"), 5_400_000);
    assert.equal(parseDuration("500ms"), 500);
    assert.equal(parseDuration("30"), 30_000);
    assert.equal(parseDuration("45"), 45_000, "a bare number is seconds, as the README says");
    assert.equal(parseDuration("1d"), 86_400_000);
    assert.equal(parseDuration("1h30m500ms"), 5_400_500);
    for (const bad of ["", "soon", "5q", "1h soon", "h", "-5m"])
      assert.equal(parseDuration(bad), undefined, bad);
  });

  it("applies defaults and drops repeated data sources", () => {
    const settings = settingsOf({ knowledgeBaseUuid: KB, dataSourceUuids: [DS, DS] });
    assert.deepEqual(settings, {
      knowledgeBaseUuid: KB,
      dataSourceUuids: [DS],
      timeoutMs: 3_600_000,
      waitForCompletion: true,
      failOnPartial: false,
      cancelOnInterrupt: true,
      poll: {},
    });
  });

  it("checks the poll input: known settings, numbers of at least 1 s, firstDelayMs not above maxDelayMs", () => {
    const properties = (poll: unknown) => checkInputs({ knowledgeBaseUuid: KB, poll }).map((f) => f.property);
    assert.deepEqual(properties({ firstDelayMs: 2_000, maxDelayMs: 10_000 }), []);
    assert.deepEqual(properties({ firstDelayMs: UNKNOWN }), []);
    assert.deepEqual(properties(UNKNOWN), []);
    assert.deepEqual(properties("fast"), ["poll"]);
    assert.deepEqual(properties({ firstDelay: 2 }), ["poll.firstDelay"]);
    assert.deepEqual(properties({ firstDelayMs: -1, maxDelayMs: "30s" }), [
      "poll.firstDelayMs",
      "poll.maxDelayMs",
    ]);
    assert.deepEqual(properties({ firstDelayRepeats: 1.5 }), ["poll.firstDelayRepeats"]);
    // Below a second, whatever the setting: milliseconds typed where seconds were meant.
    assert.deepEqual(properties({ minDelayMs: 999, firstDelayMs: 5, firstDelayRepeats: 0 }), [
      "poll.minDelayMs",
      "poll.firstDelayMs",
    ]);
    assert.match(
      checkInputs({ knowledgeBaseUuid: KB, poll: { maxDelayMs: 500 } })[0]?.reason ?? "",
      /at least 1000 \(1 s\), got 500/,
    );
    // The schedule cannot start with waits longer than its longest, defaults included (5000, 30000).
    const order = (poll: unknown) => checkInputs({ knowledgeBaseUuid: KB, poll });
    assert.deepEqual(order({ firstDelayMs: 5_000, maxDelayMs: 2_000 }), [
      { property: "poll.firstDelayMs", reason: "must not exceed maxDelayMs" },
    ]);
    assert.deepEqual(properties({ firstDelayMs: 40_000 }), ["poll.firstDelayMs"]);
    assert.deepEqual(properties({ maxDelayMs: 4_000 }), ["poll.firstDelayMs"]);
    assert.deepEqual(properties({ firstDelayMs: 2_000, maxDelayMs: 2_000 }), []);
    assert.deepEqual(properties({ firstDelayMs: 30_000 }), []);
    // A 0.1 setting is refused as unknown, not compared.
    assert.deepEqual(properties({ minDelayMs: 5_000, maxDelayMs: 2_000 }), ["poll.minDelayMs"]);
    assert.deepEqual(settingsOf({ knowledgeBaseUuid: KB, poll: { firstDelayMs: 2_000 } }).poll, {
      firstDelayMs: 2_000,
    });
  });

  it("checks types, not just formats", () => {
    const failures = checkInputs({
      knowledgeBaseUuid: 42,
      dataSourceUuids: "x",
      failOnPartial: 1,
      cancelOnInterrupt: "no",
    });
    assert.deepEqual(
      failures.map((f) => f.property),
      ["knowledgeBaseUuid", "dataSourceUuids", "failOnPartial", "cancelOnInterrupt"],
    );
    assert.deepEqual(
      checkInputs({ knowledgeBaseUuid: KB, dataSourceUuids: UNKNOWN, triggers: [1, { a: 2 }] }),
      [],
    );
  });
});

describe("diff", () => {
  const base = { knowledgeBaseUuid: KB, dataSourceUuids: [DS], triggers: { a: 1, b: [1, 2] } };

  it("ignores key order in triggers, and a missing versus a null trigger", () => {
    assert.equal(diffInputs(base, { ...base, triggers: { b: [1, 2], a: 1 } }).changes, false);
    assert.equal(
      diffInputs({ knowledgeBaseUuid: KB }, { knowledgeBaseUuid: KB, triggers: null }).changes,
      false,
    );
  });

  it("takes a change of poll tuning as an in-place update, whatever its key order", () => {
    const tuned = { ...base, poll: { firstDelayMs: 2_000, maxDelayMs: 9_000 } };
    const result = diffInputs(base, tuned);
    assert.equal(result.changes, true);
    assert.deepEqual(result.replaces, []);
    assert.equal(
      diffInputs(tuned, { ...base, poll: { maxDelayMs: 9_000, firstDelayMs: 2_000 } }).changes,
      false,
    );
    assert.equal(diffInputs(base, { ...base, poll: {} }).changes, false);
  });

  it("treats omitted settings as their defaults", () => {
    const explicit = {
      ...base,
      timeout: "1h",
      waitForCompletion: true,
      failOnPartial: false,
      cancelOnInterrupt: true,
    };
    assert.equal(diffInputs(base, explicit).changes, false);
  });

  it("updates cancelOnInterrupt in place, as it does timeout", () => {
    for (const change of [{ cancelOnInterrupt: false }, { timeout: "2h" }]) {
      const result = diffInputs(base, { ...base, ...change });
      assert.equal(result.changes, true);
      assert.deepEqual(result.replaces, []);
    }
  });

  it("replaces only for failOnPartial turned on after a PARTIAL run; waitForCompletion turned on updates", () => {
    const recorded = {
      running: { phase: "BATCH_JOB_PHASE_RUNNING", status: "INDEX_JOB_STATUS_IN_PROGRESS" },
      succeeded: { phase: "BATCH_JOB_PHASE_SUCCEEDED", status: "INDEX_JOB_STATUS_COMPLETED" },
      partial: { phase: "BATCH_JOB_PHASE_SUCCEEDED", status: "INDEX_JOB_STATUS_PARTIAL" },
      failed: { phase: "BATCH_JOB_PHASE_FAILED", status: "INDEX_JOB_STATUS_FAILED" },
    };
    const rows: [job: keyof typeof recorded, olds: object, news: object, replaces: string[]][] = [
      ["running", { waitForCompletion: false }, { waitForCompletion: true }, []],
      ["succeeded", { waitForCompletion: false }, { waitForCompletion: true }, []],
      ["partial", { waitForCompletion: false }, { waitForCompletion: true }, []],
      ["failed", { waitForCompletion: false }, { waitForCompletion: true }, []],
      ["running", { waitForCompletion: false }, { waitForCompletion: true, failOnPartial: true }, []],
      ["partial", {}, { failOnPartial: true }, ["failOnPartial"]],
      ["partial", { waitForCompletion: false }, { failOnPartial: true }, ["failOnPartial"]],
      ["partial", { failOnPartial: true }, { failOnPartial: false }, []],
      ["succeeded", {}, { failOnPartial: true }, []],
      ["running", {}, { failOnPartial: true }, []],
      ["failed", {}, { failOnPartial: true }, []],
    ];
    for (const [job, olds, news, replaces] of rows) {
      const state = { ...base, uuid: "j", ...recorded[job], ownJob: true, ...olds };
      const result = diffInputs(state, { ...base, ...news });
      const row = `${job} ${JSON.stringify(olds)} -> ${JSON.stringify(news)}`;
      assert.equal(result.changes, true, row);
      assert.deepEqual(result.replaces, replaces, row);
      assert.equal(result.deleteBeforeReplace, false, row);
    }
  });

  it("sees a changed order of trigger array items", () => {
    assert.deepEqual(diffInputs(base, { ...base, triggers: { a: 1, b: [2, 1] } }).replaces, ["triggers"]);
  });

  it("takes an unknown data source list as a change", () => {
    assert.deepEqual(
      diffInputs(base, { ...base, dataSourceUuids: UNKNOWN as unknown as string[] }).replaces,
      ["dataSourceUuids"],
    );
  });
});

describe("outputs and job state", () => {
  const job = {
    uuid: "j",
    knowledge_base_uuid: KB,
    phase: "BATCH_JOB_PHASE_RUNNING",
    status: "INDEX_JOB_STATUS_IN_PROGRESS",
    data_source_uuids: [DS],
    total_datasources: 2,
    data_source_jobs: [
      { data_source_uuid: DS, indexed_item_count: 3, failed_item_count: 1, total_file_count: 10 },
      {
        data_source_uuid: "other",
        indexed_item_count: 10,
        total_file_count: 10,
        status: "DATA_SOURCE_STATUS_UPDATED",
      },
    ],
  };

  it("camelCases every field, sums item counts the API leaves out, and keeps inputs apart", () => {
    const outs = jobOutputs(job);
    assert.equal(outs.totalItemsIndexed, 13);
    // One data source says nothing of failed items: no total is claimed, 0 nor 1.
    assert.equal(outs.totalItemsFailed, undefined);
    assert.ok(!("totalItemsSkipped" in outs));
    assert.ok(!("totalTokens" in outs));
    assert.deepEqual(outs.jobDataSourceUuids, [DS]);
    assert.equal(outs.dataSourceJobs?.[0]?.indexedItemCount, 3);
    assert.ok(!("dataSourceUuids" in outs));
    const state = stateOf({ knowledgeBaseUuid: KB, triggers: { v: 1 } }, job);
    assert.deepEqual(state.triggers, { v: 1 });
    assert.ok(!Object.values(state).includes(undefined));
    const moved = withInputs(state, { knowledgeBaseUuid: KB, timeout: "2h" });
    assert.equal(moved.triggers, undefined);
    assert.equal(moved.timeout, "2h");
    assert.equal(moved.uuid, "j");
  });

  it("claims no totals while data sources report counts only at their end (the spec of November 2025)", () => {
    const sources = [
      { data_source_uuid: DS, status: "DATA_SOURCE_STATUS_IN_PROGRESS" },
      { data_source_uuid: "other", indexed_item_count: 10, total_file_count: 10, completed_at: "x" },
    ];
    const outs = jobOutputs({ ...job, data_source_jobs: sources });
    assert.equal(outs.totalItemsIndexed, undefined);
    assert.equal(progressOf({ ...job, data_source_jobs: sources }).itemsIndexed, undefined);
    assert.equal(progressOf({ ...job, data_source_jobs: sources }).fraction, 0.5);
    assert.deepEqual(jobOutputs({ uuid: "j", data_source_jobs: [] }).totalItemsIndexed, undefined);
  });

  it("measures progress from items, counting a finished data source whole", () => {
    const progress = progressOf(job);
    assert.equal(progress.fraction, 14 / 20);
    assert.equal(progress.dataSourcesDone, 1);
    assert.equal(progress.dataSourcesTotal, 2);
  });

  it("reads phases and statuses, and an unknown one as still running", () => {
    const at = (phase: string, status: string, finished_at?: string) =>
      outcomeOf({ phase, status, finished_at });
    assert.equal(at("BATCH_JOB_PHASE_SUCCEEDED", "INDEX_JOB_STATUS_COMPLETED"), "succeeded");
    assert.equal(at("BATCH_JOB_PHASE_SUCCEEDED", "INDEX_JOB_STATUS_NO_CHANGES"), "succeeded");
    assert.equal(at("BATCH_JOB_PHASE_SUCCEEDED", "INDEX_JOB_STATUS_PARTIAL"), "partial");
    assert.equal(at("BATCH_JOB_PHASE_CANCELLED", "INDEX_JOB_STATUS_CANCELLED"), "failed");
    assert.equal(at("BATCH_JOB_PHASE_ERROR", "INDEX_JOB_STATUS_FAILED"), "failed");
    assert.equal(at("BATCH_JOB_PHASE_FUTURE", "INDEX_JOB_STATUS_FUTURE"), "running");
    assert.equal(at("BATCH_JOB_PHASE_FUTURE", "INDEX_JOB_STATUS_COMPLETED"), "running");
    // Only the spec's terminal phases end a job: a final-looking status under a phase we do not know
    // (or none) does not, finished_at or not.
    for (const phase of ["BATCH_JOB_PHASE_FUTURE", "BATCH_JOB_PHASE_UNKNOWN", ""])
      for (const status of ["INDEX_JOB_STATUS_COMPLETED", "INDEX_JOB_STATUS_FAILED"])
        assert.equal(at(phase, status, "2026-01-01T00:00:00Z"), "running", `${phase} ${status}`);
    // Public clients see INDEX_JOB_STATUS_RUNNING, outside the spec, while a job runs.
    assert.equal(at("BATCH_JOB_PHASE_RUNNING", "INDEX_JOB_STATUS_RUNNING"), "running");
    assert.equal(at("BATCH_JOB_PHASE_SUCCEEDED", "INDEX_JOB_STATUS_FUTURE"), "succeeded");
    assert.equal(at("BATCH_JOB_PHASE_SUCCEEDED", "INDEX_JOB_STATUS_FAILED"), "failed");
  });
});
