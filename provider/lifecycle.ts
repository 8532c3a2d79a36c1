/**
 * The life of an IndexingJob, top to bottom:
 *
 *   create -> start a job, or adopt the knowledge base's own (start.ts) -> wait for it -> outputs.
 *
 * Any failure after the job started is thrown with the job's id and state (IndexingJobError), so Pulumi
 * records the job: the next `pulumi up` resumes waiting for it (update), `pulumi destroy` cancels it.
 */
import type { IndexingJob } from "./api/types";
import { hasStatus, type GradientClient } from "./client";
import { systemClock } from "./clock";
import { settingsOf, type IndexingJobInputs, type JobSettings } from "./inputs";
import { cancelOnInterrupt } from "./interrupt";
import { isRunning, outcomeOf } from "./job-state";
import { jobOfState, stateOf, withInputs, type IndexingJobState } from "./outputs";
import { withKnowledgeBaseDataSources } from "./drift";
import { consolePrint, failedSources, failureMessage, ProgressReporter, shortId } from "./report";
import { startOrAdopt, type StartedRun } from "./start";
import { waitForJob, type PollPolicy } from "./wait";

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
export class IndexingJobError extends Error {
  override readonly name = "IndexingJobError";
  constructor(
    message: string,
    readonly id: string,
    readonly properties: Record<string, unknown>,
  ) {
    super(message);
    // Pulumi's closure serializer rebuilds classes as plain functions, and `Error` called as a plain
    // function does not set the message on `this`: set it ourselves.
    this.message = message;
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
  const run = await startOrAdopt({ api, settings, deadline, poll: ctx.poll });
  const id = run.job.uuid ?? "";
  return { id, outs: await awaitJob(ctx, inputs, settings, run, deadline, id, api) };
}

/**
 * In place: a change of timeout, waitForCompletion or failOnPartial, which needs no API call. Also what
 * the engine calls, with unchanged inputs, after a create that failed or timed out: then it resumes
 * waiting for that job if it still runs, or starts a new one if it did not succeed.
 */
export async function updateJob(
  ctx: LifecycleContext,
  id: string,
  olds: IndexingJobState,
  news: ProviderInputs,
): Promise<IndexingJobState> {
  const settings = settingsOf(news);
  if (succeeded(olds, settings)) return withInputs(olds, news);
  const api = ctx.api();
  const deadline = systemClock.now() + settings.timeoutMs;
  const job = olds.uuid ? await fetchIfKnown(api, olds.uuid) : undefined;
  let run: StartedRun;
  if (job && isRunning(job)) {
    consolePrint(
      `indexing job ${shortId(job.uuid)} from the last deployment still runs: waiting for it again`,
    );
    run = { job };
  } else if (job && succeeded(stateOf(news, job), settings)) {
    return stateOf(news, job);
  } else {
    run = await startOrAdopt({ api, settings, deadline, poll: ctx.poll });
  }
  return awaitJob(ctx, news, settings, run, deadline, id, api);
}

/** Fresh outputs; undefined when the API no longer knows the job. */
export async function readJob(
  ctx: LifecycleContext,
  id: string,
  props: Partial<IndexingJobState> | undefined,
): Promise<IndexingJobState | undefined> {
  const api = ctx.api();
  const job = await fetchIfKnown(api, props?.uuid ?? id);
  return job && withKnowledgeBaseDataSources(api, stateOf(props ?? {}, job));
}

/** Cancels the job if it still runs; a finished or forgotten job needs nothing. */
export async function deleteJob(
  ctx: LifecycleContext,
  id: string,
  props: Partial<IndexingJobState>,
): Promise<void> {
  const uuid = props.uuid ?? id;
  const api = ctx.api();
  const job = await fetchIfKnown(api, uuid);
  if (!job || !isRunning(job)) return;
  consolePrint(`cancelling indexing job ${uuid}, which still runs`);
  try {
    await api.cancelIndexingJob(uuid);
  } catch (error) {
    if (!hasStatus(error, 404)) throw error;
  }
}

// ---- the steps

/** Waits for the job unless told not to, and turns how it ended into outputs or an IndexingJobError. */
async function awaitJob(
  ctx: LifecycleContext,
  inputs: ProviderInputs,
  settings: JobSettings,
  { job: started, typicalRunMs }: StartedRun,
  deadline: number,
  resourceId: string,
  api: GradientClient,
): Promise<IndexingJobState> {
  if (!settings.waitForCompletion) return withKnowledgeBaseDataSources(api, stateOf(inputs, started), true);
  const uuid = started.uuid ?? "";
  let job = started;
  const failWith = (message: string): never => {
    throw new IndexingJobError(message, resourceId, {
      ...stateOf(inputs, job),
      __provider: inputs.__provider,
    });
  };
  const reporter = new ProgressReporter();
  // Only while waiting: a signal then cancels the job instead of leaving it running unrecorded.
  const endWatch = settings.cancelOnInterrupt
    ? cancelOnInterrupt({
        uuid,
        knowledgeBaseUuid: started.knowledge_base_uuid,
        cancel: () => api.cancelIndexingJob(uuid),
      })
    : undefined;
  try {
    const result = await waitForJob(started, () => api.getIndexingJob(uuid), {
      deadline,
      policy: { ...ctx.poll, ...settings.poll },
      share: api.budget,
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
  return withKnowledgeBaseDataSources(api, stateOf(inputs, job), true);
}

// ---- helpers

/** Did the run recorded in `state` end in a way these settings accept? */
function succeeded(state: Partial<IndexingJobState>, settings: JobSettings): boolean {
  if (!state.uuid) return false;
  const outcome = outcomeOf(jobOfState(state));
  if (outcome === "running") return !settings.waitForCompletion;
  return outcome === "succeeded" || (outcome === "partial" && !settings.failOnPartial);
}

async function fetchIfKnown(api: GradientClient, uuid: string): Promise<IndexingJob | undefined> {
  try {
    return await api.getIndexingJob(uuid);
  } catch (error) {
    if (hasStatus(error, 404)) return undefined;
    throw error;
  }
}
