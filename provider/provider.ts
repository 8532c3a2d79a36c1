/**
 * IndexingJobProvider: the dynamic provider behind IndexingJob.
 *
 * create -> start a job (after any job the knowledge base already runs) -> wait for it -> outputs.
 * Any failure after the job started is thrown with the job's id and state, so Pulumi records the job
 * (partial state): the next `pulumi up` resumes waiting for it, and `pulumi destroy` cancels it.
 *
 * The provider object holds no secret and no client: Pulumi serializes it into the state. Config
 * arrives through `configure()` and lives, with the API client, in a per-process registry.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { IndexingJob } from "./api/types";
import { GradientClient, hasStatus } from "./client";
import { systemClock } from "./clock";
import { MISSING_TOKEN_MESSAGE, resolveApiSettings, type ConfigSource } from "./config";
import { diffInputs } from "./diff";
import { checkInputs, settingsOf, type IndexingJobInputs, type JobSettings } from "./inputs";
import { isRunning, outcomeOf } from "./job-state";
import { jobOfState, stateOf, type IndexingJobState } from "./outputs";
import { consolePrint, failedSources, failureMessage, ProgressReporter, shortId } from "./report";
import { waitForJob, type PollPolicy } from "./wait";

/** Tuning only; plain data, since it is serialized with the provider. */
export interface IndexingJobProviderOptions {
  /** Poll timing (see PollPolicy). */
  poll?: Partial<PollPolicy>;
  /** Requests a minute this process may send with one token (default 200; the API allows 250). */
  requestsPerMinute?: number;
}

type ProviderInputs = IndexingJobInputs & { __provider?: string };

/**
 * A failure after the job was started. Carrying `id` and `properties` makes the Pulumi host record
 * the job as a resource whose creation failed, instead of forgetting it.
 */
export class IndexingJobError extends Error {
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

interface ProviderRuntime {
  config?: ConfigSource;
  client?: GradientClient;
}

/** Per-process state of a provider object, kept off the object itself (see the module comment). */
function runtimeOf(provider: object): ProviderRuntime {
  const key = Symbol.for("pulumi-gradient-indexing.provider-runtime");
  const scope = globalThis as { [key]?: WeakMap<object, ProviderRuntime> };
  const registry = (scope[key] ??= new WeakMap<object, ProviderRuntime>());
  let runtime = registry.get(provider);
  if (!runtime) registry.set(provider, (runtime = {}));
  return runtime;
}

export class IndexingJobProvider implements pulumi.dynamic.ResourceProvider<ProviderInputs, IndexingJobState> {
  readonly options: IndexingJobProviderOptions;

  constructor(options: IndexingJobProviderOptions = {}) {
    this.options = options;
  }

  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    runtimeOf(this).config = req.config;
  }

  async check(_olds: ProviderInputs, news: ProviderInputs): Promise<pulumi.dynamic.CheckResult<ProviderInputs>> {
    return { inputs: news, failures: checkInputs(news as unknown as Record<string, unknown>) };
  }

  async diff(_id: string, olds: IndexingJobState, news: ProviderInputs): Promise<pulumi.dynamic.DiffResult> {
    return diffInputs(olds, news);
  }

  async create(inputs: ProviderInputs): Promise<pulumi.dynamic.CreateResult<IndexingJobState>> {
    const settings = settingsOf(inputs);
    const api = this.client();
    const deadline = systemClock.now() + settings.timeoutMs;
    const job = await this.start(api, settings, deadline);
    const outs = await this.await(api, inputs, settings, job, deadline, job.uuid ?? "");
    return { id: job.uuid ?? "", outs };
  }

  /**
   * In place: a change of timeout, waitForCompletion or failOnPartial, which needs no API call. Also
   * what the engine calls, with unchanged inputs, after a create that failed or timed out: then it
   * resumes waiting for that job if it still runs, or starts a new one if it did not succeed.
   */
  async update(
    id: string,
    olds: IndexingJobState,
    news: ProviderInputs,
  ): Promise<pulumi.dynamic.UpdateResult<IndexingJobState>> {
    const settings = settingsOf(news);
    if (this.succeeded(olds, settings)) return { outs: { ...olds, ...stateOf(news, jobOfState(olds)) } };
    const api = this.client();
    const deadline = systemClock.now() + settings.timeoutMs;
    let job = olds.uuid ? await this.fetchIfKnown(api, olds.uuid) : undefined;
    if (job && isRunning(job)) {
      consolePrint(`indexing job ${shortId(job.uuid)} from the last deployment still runs: waiting for it again`);
    } else if (job && this.succeeded(stateOf(news, job), settings)) {
      return { outs: stateOf(news, job) };
    } else {
      job = await this.start(api, settings, deadline);
    }
    return { outs: await this.await(api, news, settings, job, deadline, id) };
  }

  async read(id: string, props?: IndexingJobState): Promise<pulumi.dynamic.ReadResult<IndexingJobState>> {
    const api = this.client();
    const job = await this.fetchIfKnown(api, props?.uuid ?? id);
    // An empty id tells the engine the resource is gone.
    if (!job) return { id: "" };
    return { id, props: stateOf(inputsOf(props), job) };
  }

  /** Cancels the job if it still runs; a finished or forgotten job needs nothing. */
  async delete(id: string, props: IndexingJobState): Promise<void> {
    const uuid = props.uuid ?? id;
    const api = this.client();
    const job = await this.fetchIfKnown(api, uuid);
    if (!job || !isRunning(job)) return;
    consolePrint(`cancelling indexing job ${uuid}, which still runs`);
    try {
      await api.cancelIndexingJob(uuid);
    } catch (error) {
      if (!hasStatus(error, 404)) throw error;
    }
  }

  // ---- the steps of create and update

  /** Starts a job; when the knowledge base already runs one, waits for it to end first. */
  private async start(api: GradientClient, settings: JobSettings, deadline: number): Promise<IndexingJob> {
    const request = { knowledgeBaseUuid: settings.knowledgeBaseUuid, dataSourceUuids: settings.dataSourceUuids };
    for (;;) {
      let refusal: unknown;
      try {
        return await api.startIndexingJob(request);
      } catch (error) {
        // How the API refuses a second job is not documented: whatever the 4xx, the knowledge base's
        // job list tells whether a job is in the way.
        if (!hasStatus(error, 400, 409, 412, 422, 423)) throw error;
        refusal = error;
      }
      const { items } = await api.listKnowledgeBaseIndexingJobs(settings.knowledgeBaseUuid);
      const running = items.find(isRunning);
      if (!running?.uuid) throw refusal;
      const uuid = running.uuid;
      consolePrint(
        `knowledge base ${settings.knowledgeBaseUuid} already runs indexing job ${uuid}: ` +
          `waiting for it to end before starting a new one`,
      );
      const other = await waitForJob(running, () => api.getIndexingJob(uuid), { deadline, policy: this.options.poll });
      if (!other.ended) {
        throw new Error(
          `Timed out waiting for indexing job ${uuid}, which already ran on knowledge base ` +
            `${settings.knowledgeBaseUuid}; no new job was started. Raise \`timeout\` or try again later.`,
        );
      }
    }
  }

  /** Waits for the job unless told not to, and turns how it ended into outputs or an error. */
  private async await(
    api: GradientClient,
    inputs: ProviderInputs,
    settings: JobSettings,
    started: IndexingJob,
    deadline: number,
    resourceId: string,
  ): Promise<IndexingJobState> {
    if (!settings.waitForCompletion) return stateOf(inputs, started);
    const uuid = started.uuid ?? "";
    let job = started;
    const failWith = (message: string): never => {
      throw new IndexingJobError(message, resourceId, { ...stateOf(inputs, job), __provider: inputs.__provider });
    };
    const reporter = new ProgressReporter();
    try {
      const result = await waitForJob(started, () => api.getIndexingJob(uuid), {
        deadline,
        policy: this.options.poll,
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
    }
    const outcome = outcomeOf(job);
    if (outcome === "failed") failWith(failureMessage(job, "failed"));
    if (outcome === "partial") {
      if (settings.failOnPartial) failWith(failureMessage(job, "only partly succeeded and failOnPartial is set"));
      consolePrint(
        `warning: indexing job ${uuid} only partly succeeded:\n` +
          failedSources(job)
            .map((s) => `  - ${s}`)
            .join("\n"),
      );
    }
    return stateOf(inputs, job);
  }

  // ---- helpers

  /** Did the run recorded in `state` end in a way these settings accept? */
  private succeeded(state: Partial<IndexingJobState>, settings: JobSettings): boolean {
    if (!state.uuid) return false;
    const outcome = outcomeOf(jobOfState(state));
    if (outcome === "running") return !settings.waitForCompletion;
    return outcome === "succeeded" || (outcome === "partial" && !settings.failOnPartial);
  }

  private async fetchIfKnown(api: GradientClient, uuid: string): Promise<IndexingJob | undefined> {
    try {
      return await api.getIndexingJob(uuid);
    } catch (error) {
      if (hasStatus(error, 404)) return undefined;
      throw error;
    }
  }

  private client(): GradientClient {
    const runtime = runtimeOf(this);
    if (runtime.client) return runtime.client;
    const { token, baseUrl } = resolveApiSettings(runtime.config);
    if (!token) throw new Error(MISSING_TOKEN_MESSAGE);
    runtime.client = new GradientClient({ token, baseUrl, requestsPerMinute: this.options.requestsPerMinute });
    return runtime.client;
  }
}

/** The input part of a stored state. */
function inputsOf(state: Partial<IndexingJobState> | undefined): IndexingJobInputs {
  const { knowledgeBaseUuid = "", dataSourceUuids, triggers, timeout, waitForCompletion, failOnPartial } = state ?? {};
  return { knowledgeBaseUuid, dataSourceUuids, triggers, timeout, waitForCompletion, failOnPartial };
}
