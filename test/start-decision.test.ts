/**
 * The start decision as a table: one row per fact of DigitalOcean's API (docs/ and api-facts.test.ts)
 * and per rule of issue 23. Pure: no clock, no API, no host.
 */
import * as assert from "node:assert/strict";
import type { IndexingJob } from "../provider/api/types";
import {
  attemptOf,
  decide,
  type StartAction,
  type StartFacts,
} from "../provider/indexing-job/start-decision";

const KB = "kb";
const A = "ds-a";
const B = "ds-b";
const NOW = 1_000_000;
const LAG = 60_000;

const running = (uuid: string, sources: string[] = []): IndexingJob => ({
  uuid,
  phase: "BATCH_JOB_PHASE_RUNNING",
  data_source_uuids: sources,
});
const ended = (uuid: string, sources: string[] = []): IndexingJob => ({
  uuid,
  phase: "BATCH_JOB_PHASE_SUCCEEDED",
  status: "INDEX_JOB_STATUS_COMPLETED",
  data_source_uuids: sources,
});

function facts(over: Partial<StartFacts>): StartFacts {
  return {
    kb: KB,
    wanted: [A],
    first: [],
    listing: [],
    lookedAgain: false,
    provisioning: false,
    refusedBusy: false,
    now: NOW,
    deadline: NOW + 3_600_000,
    lagMs: LAG,
    ...over,
  };
}

const unanswered = (at: number, known: string[] = []) =>
  ({ kind: "unanswered", at, known, message: "HTTP 502" }) as const;
const refused = (status: number, apiMessage = "conflict") =>
  ({ kind: "refused", at: NOW - 100, status, apiMessage, message: `HTTP ${status}: ${apiMessage}` }) as const;

type Expect = Partial<{ do: StartAction["do"]; job: string; owned: boolean; what: string; message: RegExp }>;

function check(action: StartAction, expect: Expect): void {
  assert.equal(action.do, expect.do);
  if (expect.job !== undefined) assert.equal("job" in action ? action.job.uuid : undefined, expect.job);
  if (expect.owned !== undefined) assert.equal("owned" in action ? action.owned : undefined, expect.owned);
  if (expect.what !== undefined) assert.equal("what" in action ? action.what : undefined, expect.what);
  if (expect.message) assert.match("message" in action ? action.message : "", expect.message);
}

const rows: [string, Partial<StartFacts>, Expect][] = [
  ["an idle knowledge base: start", {}, { do: "start" }],
  [
    "someone's job in the first listing runs: wait for it",
    { first: ["x"], listing: [running("x", [A])] },
    { do: "waitFor", job: "x" },
  ],
  [
    "a job in the first listing covering ours, ended: never this deploy's run (clocks, timestamps aside)",
    { first: ["x"], listing: [ended("x", [A])] },
    { do: "start" },
  ],
  [
    "a job absent from the first listing covering ours runs: the run, not ours",
    { first: [], listing: [running("n", [A, B])] },
    { do: "adopt", job: "n", owned: false },
  ],
  [
    "a new job over other data sources runs: wait for it",
    { listing: [running("n", [B])] },
    { do: "waitFor", job: "n" },
  ],
  [
    "a new job covering ours already ended: the run",
    { listing: [ended("n", [A])] },
    { do: "adopt", job: "n", owned: false },
  ],
  [
    "the job the last deploy recorded turns up running: resumed, ownership as recorded",
    { previous: { uuid: "p", owned: true }, listing: [running("p", [A])], first: ["p"] },
    { do: "adopt", job: "p", owned: true },
  ],
  [
    "the recorded job turns up ended: a new run",
    { previous: { uuid: "p", owned: true }, listing: [ended("p", [A])] },
    { do: "start" },
  ],
  // Item 1: a 5xx (or no answer) after the API acted, while lists lag.
  [
    "a 5xx on the start, lists show nothing new yet: no second start within the lag",
    { attempt: unanswered(NOW - 5_000), listing: [] },
    { do: "pause" },
  ],
  [
    "a 5xx on the start, then a new job over exactly our data sources: ours",
    { attempt: unanswered(NOW - 5_000), listing: [running("mine", [A])] },
    { do: "adopt", job: "mine", owned: true },
  ],
  [
    "a 5xx, and after a busy refusal too: the exact new job is still ours",
    { attempt: unanswered(NOW - 5_000), refusedBusy: true, listing: [running("mine", [A])] },
    { do: "adopt", job: "mine", owned: true },
  ],
  [
    "a 5xx on the start, nothing shown for the whole lag: start again",
    { attempt: unanswered(NOW - LAG), listing: [], lookedAgain: true },
    { do: "start" },
  ],
  // Item 2: a lost answer near the deadline.
  [
    "no answer, and the deadline came: the failure says a job may run, and records the start",
    { attempt: unanswered(NOW - 5_000, ["old"]), deadline: NOW },
    { do: "fail", message: /may have started a job/ },
  ],
  // Item 3: ownership is never a guess.
  [
    "no answer, then a new job over more data sources than ours: the run, never ours",
    { attempt: unanswered(NOW - 5_000), listing: [running("theirs", [A, B])] },
    { do: "adopt", job: "theirs", owned: false },
  ],
  [
    "no answer, then a new job over other data sources: wait for it",
    { attempt: unanswered(NOW - 5_000), listing: [running("theirs", [B])] },
    { do: "waitFor", job: "theirs" },
  ],
  [
    "index-all, no answer: a new job over every data source of the knowledge base is ours",
    { wanted: [], kbSources: [A, B], attempt: unanswered(NOW - 5_000), listing: [running("mine", [B, A])] },
    { do: "adopt", job: "mine", owned: true },
  ],
  [
    "index-all: a new job naming data sources needs the knowledge base's list to judge",
    { wanted: [], attempt: unanswered(NOW - 5_000), listing: [running("mine", [A])] },
    { do: "read", what: "kbSources" },
  ],
  [
    "the last deploy's unconfirmed start: its job, in this deploy's first listing, is ours",
    {
      attempt: unanswered(NOW - 600_000, ["old"]),
      first: ["old", "mine"],
      listing: [ended("mine", [A]), ended("old", [A])],
    },
    { do: "adopt", job: "mine", owned: true },
  ],
  // Item 4: DigitalOcean's reindex after a deletion, running when the deploy began.
  [
    "index-all: DigitalOcean's own reindex in the first listing is waited for, not taken",
    { wanted: [], kbSources: [A], first: ["re", "old"], listing: [running("re", [A]), ended("old", [A, B])] },
    { do: "waitFor", job: "re" },
  ],
  // A busy knowledge base refuses with any status and wording.
  [
    "refused, and the list now shows a new job: it may predate us (lag), wait for it",
    { attempt: refused(409), listing: [running("hidden", [A])] },
    { do: "waitFor", job: "hidden" },
  ],
  [
    "after a busy refusal, a new job that already ended is not the run: start ours",
    { attempt: refused(409), refusedBusy: true, lookedAgain: true, listing: [ended("hidden", [A])] },
    { do: "start" },
  ],
  [
    "refused, nothing in the way: ask the database",
    { attempt: refused(412) },
    { do: "read", what: "database" },
  ],
  [
    "refused, database ONLINE: ask the data sources",
    { attempt: refused(412), database: "ONLINE" },
    { do: "read", what: "kbSources" },
  ],
  [
    "refused: a data source not in the knowledge base fails at once, named",
    { attempt: refused(400), database: "ONLINE", kbSources: [B] },
    { do: "fail", message: /Data source ds-a is not in knowledge base kb/ },
  ],
  [
    "refused: a knowledge base with no data sources fails at once",
    { wanted: [], attempt: refused(400), database: null, kbSources: [] },
    { do: "fail", message: /has no data sources/ },
  ],
  [
    "refused, nothing explains it: look again for a job in the way",
    { attempt: refused(409), database: "ONLINE", kbSources: [A] },
    { do: "pause" },
  ],
  [
    "refused, nothing explains it for the whole lag: fail",
    { attempt: refused(409), database: "ONLINE", kbSources: [A], firstUnexplainedAt: NOW - LAG },
    { do: "fail", message: /refused to start/ },
  ],
  ["refused 403 (the token's scope): fail at once", { attempt: refused(403, "forbidden") }, { do: "fail" }],
  // A new knowledge base's database provisions, then it may index itself.
  [
    '"failed to get db creds": wait for the database',
    { attempt: refused(400, "failed to get db creds"), database: null },
    { do: "pause" },
  ],
  [
    "refused while the database is CREATING: wait",
    { attempt: refused(400, "bad request"), database: "CREATING" },
    { do: "pause" },
  ],
  [
    "provisioning: the database is not ONLINE yet, wait",
    { provisioning: true, lookedAgain: true, database: "CREATING" },
    { do: "pause" },
  ],
  [
    "provisioning: ONLINE now, start",
    { provisioning: true, lookedAgain: true, database: "ONLINE" },
    { do: "start" },
  ],
  [
    "provisioning seen: the knowledge base's own first indexing is the run, and ours",
    { provisioning: true, refusedBusy: true, listing: [running("own", [])] },
    { do: "adopt", job: "own", owned: true },
  ],
  [
    "the database still not ready at the deadline: fail saying so, no job started",
    { provisioning: true, lookedAgain: true, database: "CREATING", deadline: NOW },
    { do: "fail", message: /still not ready within the timeout; no indexing job was started/ },
  ],
  [
    "a database that will never be ready fails at once",
    { provisioning: true, database: "UNHEALTHY" },
    { do: "fail", message: /UNHEALTHY/ },
  ],
  // Rate limits and the deadline.
  [
    "a 429 left by ky's retries: pause, then look again",
    { attempt: { kind: "throttled", at: NOW, message: "429" } },
    { do: "pause" },
  ],
  [
    "after a 429's pause: start",
    { attempt: { kind: "throttled", at: NOW - 2_000, message: "429" }, lookedAgain: true },
    { do: "start" },
  ],
  [
    "someone's job still runs at the deadline: fail, no job started",
    { first: ["x"], listing: [running("x", [A])], deadline: NOW },
    { do: "fail", message: /Timed out waiting for indexing job x.*no indexing job was started/ },
  ],
];

describe("the start decision (table)", () => {
  for (const [name, over, expect] of rows) {
    it(name, () => check(decide(facts(over)).action, expect));
  }

  it("a busy refusal is remembered once the lists were looked at again", () => {
    const { remember } = decide(facts({ attempt: refused(409), listing: [running("hidden", [A])] }));
    assert.equal(remember.refusedBusy, true);
  });

  it("asking for the database's status remembers nothing of it", () => {
    const { action, remember } = decide(facts({ attempt: refused(409) }));
    assert.equal(action.do, "read");
    assert.equal(remember.provisioning, undefined);
  });

  it("a refusal the database explains is not a job in the way", () => {
    const { remember } = decide(facts({ attempt: refused(400, "failed to get db creds"), database: null }));
    assert.equal(remember.provisioning, true);
    assert.equal(remember.refusedBusy, false);
  });

  it("the unconfirmed start recorded at the deadline names when it was sent and which jobs existed", () => {
    const { action } = decide(facts({ attempt: unanswered(NOW - 5_000, ["old"]), deadline: NOW }));
    assert.ok(action.do === "fail");
    assert.deepEqual(action.unconfirmed, {
      sentAt: new Date(NOW - 5_000).toISOString(),
      knownJobUuids: ["old"],
    });
  });

  it("a failure with no start unanswered records nothing", () => {
    const { action } = decide(facts({ first: ["x"], listing: [running("x", [A])], deadline: NOW }));
    assert.ok(action.do === "fail");
    assert.equal(action.unconfirmed, undefined);
  });
});

describe("what an answer to a start says of it", () => {
  const table: [string, Parameters<typeof attemptOf>[0], string][] = [
    ["a 502 from the edge: may have started", { kind: "http", status: 502, message: "502" }, "unanswered"],
    ["a 504: may have started", { kind: "http", status: 504, message: "504" }, "unanswered"],
    ["no answer: may have started", { kind: "network", status: undefined, message: "reset" }, "unanswered"],
    [
      "a garbled answer: may have started",
      { kind: "malformed", status: undefined, message: "?" },
      "unanswered",
    ],
    [
      "a 500 saying the database is not ready: refused",
      { kind: "http", status: 500, apiMessage: "failed to get db creds", message: "500" },
      "refused",
    ],
    ["a 429 after ky's retries: throttled", { kind: "http", status: 429, message: "429" }, "throttled"],
    ["a 409: refused", { kind: "http", status: 409, apiMessage: "busy", message: "409" }, "refused"],
  ];
  for (const [name, error, kind] of table) {
    it(name, () => assert.equal(attemptOf(error, NOW, []).kind, kind));
  }
});
