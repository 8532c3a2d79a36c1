/**
 * The life of an IndexingJob, top to bottom:
 *
 *   create -> start a job, or adopt the knowledge base's own (start.ts) -> wait for it -> outputs.
 *
 * Any failure after the job started is thrown with the job's id and state (IndexingJobError), so Pulumi
 * records the job: the next `pulumi up` resumes waiting for it (update), `pulumi destroy` cancels it.
 */
import type { IndexingJob } from "../api/types";
import type { GradientClient } from "../client";
import { hasStatus } from "../client/errors";
import { systemClock } from "../clock";
import { settingsOf, type IndexingJobInputs, type JobSettings } from "./inputs";
import { pollPolicyOf } from "./poll-input";
import { cancelOnInterrupt } from "../host/interrupt";
import { isRunning, outcomeOf } from "../waiting/outcome";
import { acceptsRun, isOwned, jobOfState, stateOf, withInputs, type IndexingJobState } from "./outputs";
import { withKnowledgeBaseDataSources } from "./drift";
import { consolePrint, shortId } from "../host/console";
import { failedSources, failureMessage, ProgressReporter } from "./messages";
import { findUnconfirmedJob, startOrAdopt, StartError, type StartedRun } from "./start";
import { waitForJob, type PollPolicy } from "../waiting/poller";
import { jobBoardOf } from "../waiting/job-board";

export type ProviderInputs = IndexingJobInputs & { __provider?: string };

/** What the steps need from the provider: an API client (made on first use) and poll tuning. */
export interface LifecycleContext {
  api(): GradientClient;
  poll?: Partial<PollPolicy>;
}

/**
 * A failure after the job was started. Carrying `id` and `properties` makes the Pulumi host record the
 * job as a resource whose creation failed, instead of forgetting it.
 */
class IndexingJobError extends Error {
  override readonly name = "IndexingJobError";
  constructor(
    message: string,
    readonly id: string,
    readonly properties: Record<string, unknown>,
  ) {
    super(message);
  }
  get reasons(): string[] {
    return [this.message];
  }
}

export async function createJob(
  ctx: LifecycleContext,
  inputs: ProviderInputs,
): Promise<{ id: string; outs: IndexingJobState }> {
  const settings = settingsOf(inputs);
  const api = ctx.api();
  const deadline = systemClock.now() + settings.timeoutMs;
  const policy = pollPolicyOf(ctx.poll, settings.poll);
  const run = await startOrAdopt({ api, settings, deadline, policy }).catch((error: unknown) => {
    // A start of ours may run unseen: recorded under a provisional id, so that nothing is lost.
    if (!(error instanceof StartError) || !error.unconfirmed) throw error;
    const state = withInputs({ unconfirmedStart: error.unconfirmed }, inputs);
    const id = `unconfirmed-start-${error.unconfirmed.sentAt}`;
    throw new IndexingJobError(error.message, id, { ...state, __provider: inputs.__provider });
  });
  const id = run.job.uuid ?? "";
  return { id, outs: await awaitJob(ctx, inputs, settings, run, deadline, id, api) };
}

/**
 * In place: a change of how to wait (timeout, waitForCompletion, failOnPartial, cancelOnInterrupt,
 * poll) under which the recorded run still stands makes no API call. waitForCompletion turned on while
 * the recorded job ran, and the update the engine calls (inputs unchanged) after a create that failed
 * or timed out, wait for that job if it still runs, take how it ended if it succeeded, or start a new
 * one if it did not. (failOnPartial turned on after a PARTIAL run is a replace: see diff.ts.)
 */
export async function updateJob(
  ctx: LifecycleContext,
  id: string,
  olds: IndexingJobState,
  news: ProviderInputs,
): Promise<IndexingJobState> {
  const settings = settingsOf(news);
  if (acceptsRun(olds, settings)) return withInputs(olds, news);
  const api = ctx.api();
  const deadline = systemClock.now() + settings.timeoutMs;
  const job = olds.uuid ? await fetchIfKnown(api, olds.uuid) : undefined;
  let run: StartedRun;
  if (job && isRunning(job)) {
    const why = olds.waitForCompletion === false ? "now that waitForCompletion is on" : "again";
    consolePrint(
      `indexing job ${shortId(job.uuid)} from the last deployment still runs: waiting for it ${why}`,
    );
    run = { job, owned: isOwned(olds) };
  } else if (job && acceptsRun(stateOf(news, job), settings)) {
    return { ...stateOf(news, job), ownJob: isOwned(olds) };
  } else {
    // Not shown (the API may not show a job started seconds ago yet) or over: should the recorded job
    // turn up while this looks for a run, it is taken again; so is the job of a start whose answer was
    // lost.
    const previous = !job && olds.uuid ? { uuid: olds.uuid, owned: isOwned(olds) } : undefined;
    const unconfirmed = olds.uuid ? undefined : olds.unconfirmedStart;
    const policy = pollPolicyOf(ctx.poll, settings.poll);
    const extra = { ...(previous && { previous }), ...(unconfirmed && { unconfirmed }) };
    run = await startOrAdopt({ api, settings, deadline, policy, ...extra });
  }
  return awaitJob(ctx, news, settings, run, deadline, id, api);
}

/**
 * Fresh outputs. A job the API no longer knows keeps its recorded run while its knowledge base exists
 * (a run-once resource does not reindex because the API forgot an old job, or does not show a new one
 * yet); undefined, so that the resource goes, when the knowledge base is gone too.
 */
export async function readJob(
  ctx: LifecycleContext,
  id: string,
  props: Partial<IndexingJobState> | undefined,
): Promise<IndexingJobState | undefined> {
  const api = ctx.api();
  const job = await recordedJob(api, id, props ?? {});
  if (job) return withKnowledgeBaseDataSources(api, { ...stateOf(props ?? {}, job), ownJob: isOwned(props) });
  if (!props?.knowledgeBaseUuid || !(await knowledgeBaseExists(api, props.knowledgeBaseUuid)))
    return undefined;
  return withKnowledgeBaseDataSources(api, withInputs(props, props));
}

/**
 * Cancels the job if this resource started it and it still runs; a finished or forgotten job, or one
 * another stack or a person started, is left alone. Returns once the API accepted the cancel (the job
 * may show RUNNING a little longer), or once a failed cancel turns out to be moot: the job ended.
 */
export async function deleteJob(
  ctx: LifecycleContext,
  id: string,
  props: Partial<IndexingJobState>,
): Promise<void> {
  if (!isOwned(props)) return;
  const api = ctx.api();
  const job = await recordedJob(api, id, props);
  const uuid = job?.uuid ?? props.uuid ?? id;
  if (!job && !props.uuid && props.unconfirmedStart) {
    consolePrint(
      `no job of the start sent ${props.unconfirmedStart.sentAt} (its answer was lost) shows on knowledge ` +
        `base ${props.knowledgeBaseUuid}: nothing to cancel`,
    );
    return;
  }
  // Not shown (yet): a job recorded as running may be one the API has not caught up with.
  const running = isRunning(job ?? jobOfState(props));
  if (!running) return;
  consolePrint(`cancelling indexing job ${uuid}, which still runs`);
  try {
    await api.cancelIndexingJob(uuid);
  } catch (error) {
    if (hasStatus(error, 404)) return;
    // Whatever its status and words (400, 409, 412... for a job that ended as the cancel arrived; a
    // 403 or an outage tell nothing of the job either), the job's state decides: ended, there is
    // nothing left to cancel. Not shown (the API's lag) or still running, destroy fails saying why.
    const now = await fetchIfKnown(api, uuid).catch(() => undefined);
    if (now && !isRunning(now)) return;
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(
      `Could not cancel indexing job ${uuid}, which ${now ? "still runs" : "may still run"}: ${why}`,
    );
  }
}

// ---- the steps

/** Waits for the job unless told not to, and turns how it ended into outputs or an IndexingJobError. */
async function awaitJob(
  ctx: LifecycleContext,
  inputs: ProviderInputs,
  settings: JobSettings,
  { job: started, typicalRunMs, owned }: StartedRun,
  deadline: number,
  resourceId: string,
  api: GradientClient,
): Promise<IndexingJobState> {
  const outputs = (of: IndexingJob): IndexingJobState => ({ ...stateOf(inputs, of), ownJob: owned });
  if (!settings.waitForCompletion) return withKnowledgeBaseDataSources(api, outputs(started), true);
  const uuid = started.uuid ?? "";
  let job = started;
  const failWith = (message: string): never => {
    throw new IndexingJobError(message, resourceId, { ...outputs(job), __provider: inputs.__provider });
  };
  const reporter = new ProgressReporter();
  // Only while waiting, and only a job of ours: a signal then cancels it instead of leaving it running
  // unrecorded. The cancel goes out at once, past the request budget.
  const endWatch =
    settings.cancelOnInterrupt && owned
      ? cancelOnInterrupt({
          uuid,
          knowledgeBaseUuid: started.knowledge_base_uuid,
          cancel: () => api.cancelIndexingJob(uuid, { urgent: true }),
        })
      : undefined;
  const policy = pollPolicyOf(ctx.poll, settings.poll);
  try {
    const result = await waitForJob(started, (signal) => api.getIndexingJob(uuid, { signal }), {
      deadline,
      policy,
      board: jobBoardOf(api),
      // A 404 so soon after this deploy took the job is the API's read-after-write lag, not its loss.
      notFoundGraceUntil: systemClock.now() + policy.apiLagMs,
      ...(typicalRunMs !== undefined && { typicalRunMs }),
      onObserve: (seen) => {
        job = seen;
        reporter.observe(seen);
      },
    });
    job = result.job;
    if (!result.ended) {
      failWith(
        `Indexing job ${uuid} did not finish within ${inputs.timeout ?? "1h"} (${job.phase}). It keeps ` +
          `running: the next \`pulumi up\` waits for it again, \`pulumi destroy\` cancels it.`,
      );
    }
  } catch (error) {
    if (error instanceof IndexingJobError) throw error;
    failWith(`Lost track of indexing job ${uuid}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    endWatch?.();
  }
  const outcome = outcomeOf(job);
  if (outcome === "failed") failWith(failureMessage(job, "failed"));
  if (outcome === "partial") {
    if (settings.failOnPartial)
      failWith(failureMessage(job, "only partly succeeded and failOnPartial is set"));
    const sources = failedSources(job).map((s) => `  - ${s}`);
    consolePrint(`warning: indexing job ${uuid} only partly succeeded:\n${sources.join("\n")}`);
  }
  return withKnowledgeBaseDataSources(api, outputs(job), true);
}

// ---- helpers

/**
 * The job a state records: its `uuid` (the id for states that predate it), or the job of a start whose
 * answer was lost, found in the knowledge base's jobs.
 */
async function recordedJob(
  api: GradientClient,
  id: string,
  props: Partial<IndexingJobState>,
): Promise<IndexingJob | undefined> {
  if (!props.uuid && props.unconfirmedStart && props.knowledgeBaseUuid) {
    const settings = settingsOf(props as IndexingJobInputs);
    return findUnconfirmedJob(api, settings, props.unconfirmedStart);
  }
  return fetchIfKnown(api, props.uuid ?? id);
}

async function knowledgeBaseExists(api: GradientClient, uuid: string): Promise<boolean> {
  try {
    await api.getKnowledgeBase(uuid);
    return true;
  } catch (error) {
    if (hasStatus(error, 404)) return false;
    throw error;
  }
}

async function fetchIfKnown(api: GradientClient, uuid: string): Promise<IndexingJob | undefined> {
  try {
    return await api.getIndexingJob(uuid);
  } catch (error) {
    if (hasStatus(error, 404)) return undefined;
    throw error;
  }
}
