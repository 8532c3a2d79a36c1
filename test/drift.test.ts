/**
 * Drift in index-all mode, through the Pulumi dynamic-provider host: an IndexingJob without
 * `dataSourceUuids` indexed every data source of its knowledge base; `pulumi refresh` (Read) records
 * the knowledge base's data sources now, and the next Diff asks for a new run when they changed.
 */
import * as assert from "node:assert/strict";
import { startSimulator, type Simulator } from "../simulator";
import { ProviderHost, secret, serializeProvider } from "./helpers/host";
import { installedPackage } from "./helpers/installed";

const { IndexingJobProvider } = installedPackage();

const FAST_POLL = { firstDelayMs: 150, minDelayMs: 100, maxDelayMs: 400 };

type Props = Record<string, unknown>;

/** The state without some fields, as an API or an earlier version that lacks them would leave it. */
function without(state: Props, ...keys: string[]): Props {
  return Object.fromEntries(Object.entries(state).filter(([key]) => !keys.includes(key)));
}

describe("IndexingJob drift of the knowledge base's data sources (refresh, then diff)", function () {
  this.timeout(60_000);
  let sim: Simulator;
  let host: ProviderHost;
  let provider: string;
  let kb: { uuid: string; dataSourceUuids: string[] };

  const inputs = (extra: Props = {}): Props => ({
    __provider: provider,
    knowledgeBaseUuid: kb.uuid,
    ...extra,
  });
  const sorted = (ids: string[]) => [...ids].sort();

  /** Create, then what `pulumi refresh` and the next `pulumi up` do: Read, then Diff with the same inputs. */
  async function refreshThenDiff(id: string, state: Props, news: Props) {
    const read = await host.read(id, state);
    const requestsBeforeDiff = sim.requests.length;
    const diff = await host.diff(id, read.props, news);
    assert.equal(sim.requests.length, requestsBeforeDiff, "diff makes no API call");
    return { read, diff };
  }

  before(async () => {
    provider = await serializeProvider(
      new IndexingJobProvider({ poll: FAST_POLL, requestsPerMinute: 6_000 }),
    );
  });

  beforeEach(async () => {
    sim = await startSimulator({
      rateLimitPerMinute: 0,
      defaultJobPlan: { pendingMs: 100, durationMs: 400 },
    });
    kb = sim.seedKnowledgeBase({ name: "docs", dataSources: [{ items: 20 }, { items: 30 }] });
    host = await ProviderHost.start();
    await host.configure({ "digitalocean:token": secret(sim.token), "digitalocean:apiEndpoint": sim.url });
  });

  afterEach(async () => {
    await host.stop();
    await sim.close();
  });

  it("create records the knowledge base's data sources beside the job's", async () => {
    const { outs } = await host.create(inputs());
    assert.deepEqual(outs.knowledgeBaseDataSourceUuids, sorted(kb.dataSourceUuids));
    assert.deepEqual(sorted(outs.jobDataSourceUuids as string[]), sorted(kb.dataSourceUuids));
  });

  it("with nothing changed, refresh and diff stay quiet", async () => {
    const { id, outs } = await host.create(inputs());
    const { read, diff } = await refreshThenDiff(id, outs, inputs());
    assert.deepEqual(read.props.knowledgeBaseDataSourceUuids, sorted(kb.dataSourceUuids));
    assert.equal(diff.changes, "none");
  });

  it("a data source added to the knowledge base asks for a new run", async () => {
    const { id, outs } = await host.create(inputs());
    const added = sim.addDataSource(kb.uuid, { items: 5 });
    const { read, diff } = await refreshThenDiff(id, outs, inputs());
    assert.deepEqual(read.props.knowledgeBaseDataSourceUuids, sorted([...kb.dataSourceUuids, added]));
    assert.equal(diff.changes, "some");
    assert.deepEqual(diff.replaces, ["knowledgeBaseDataSourceUuids"]);

    // The new run indexes the new set, and the drift is gone.
    const rerun = await host.create(inputs());
    assert.deepEqual(
      sorted(rerun.outs.jobDataSourceUuids as string[]),
      sorted([...kb.dataSourceUuids, added]),
    );
    assert.equal((await refreshThenDiff(rerun.id, rerun.outs, inputs())).diff.changes, "none");
  });

  it("a data source removed from the knowledge base asks for a new run", async () => {
    const { id, outs } = await host.create(inputs());
    sim.removeDataSource(kb.uuid, kb.dataSourceUuids[0] ?? "");
    const { read, diff } = await refreshThenDiff(id, outs, inputs());
    assert.deepEqual(read.props.knowledgeBaseDataSourceUuids, [kb.dataSourceUuids[1]]);
    assert.deepEqual(diff.replaces, ["knowledgeBaseDataSourceUuids"]);
  });

  it("state written before the field existed stays quiet, until a refresh records the set", async () => {
    const { id, outs } = await host.create(inputs());
    const oldState = without(outs, "knowledgeBaseDataSourceUuids");
    assert.equal((await host.diff(id, oldState, inputs())).changes, "none");
    assert.equal((await refreshThenDiff(id, oldState, inputs())).diff.changes, "none");
    sim.addDataSource(kb.uuid);
    assert.equal((await refreshThenDiff(id, oldState, inputs())).diff.changes, "some");
  });

  it("names data sources explicitly: no listing, no drift", async () => {
    const named = inputs({ dataSourceUuids: [kb.dataSourceUuids[0]] });
    const { id, outs } = await host.create(named);
    assert.equal(outs.knowledgeBaseDataSourceUuids, undefined);
    sim.addDataSource(kb.uuid);
    sim.clearRequests();
    const { read, diff } = await refreshThenDiff(id, outs, named);
    assert.equal(read.props.knowledgeBaseDataSourceUuids, undefined);
    assert.ok(!sim.requests.some((r) => r.path.endsWith("/data_sources")));
    assert.equal(diff.changes, "none");
  });

  it("a job that lists no data sources of its own falls back to its data source jobs", async () => {
    const { id, outs } = await host.create(inputs());
    const state = without(outs, "jobDataSourceUuids");
    sim.addDataSource(kb.uuid);
    const read = await host.read(id, state);
    // Read fills jobDataSourceUuids from the API again: take it out as an API without it would.
    const props = without(read.props, "jobDataSourceUuids");
    assert.equal((await host.diff(id, props, inputs())).changes, "some");
    const bare = without(props, "dataSourceJobs");
    assert.equal((await host.diff(id, bare, inputs())).changes, "none", "unknown indexed set: quiet");
  });

  it("a create whose listing fails still succeeds, with a warning, and stays quiet", async () => {
    sim.injectFault({ kind: "status", status: 403, match: { method: "GET", path: /\/data_sources$/ } });
    const { id, outs } = await host.create(inputs());
    assert.equal(outs.knowledgeBaseDataSourceUuids, undefined);
    await host.waitForOutput(/could not list the knowledge base's data sources/);
    assert.equal((await host.diff(id, outs, inputs())).changes, "none");
  });
});
