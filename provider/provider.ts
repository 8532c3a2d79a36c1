/**
 * IndexingJobProvider: the dynamic provider behind IndexingJob, a thin adapter from Pulumi's
 * ResourceProvider interface to the steps in `lifecycle.ts`.
 *
 * Pulumi serializes this object into the state, and with it everything it holds: so it holds no token
 * and no client. Config arrives through `configure()` and lives, with the API client, in a per-process
 * registry. Installed from npm, the serialized object is a few kilobytes that `require()` the rest.
 */
import type * as pulumi from "@pulumi/pulumi";
import { GradientClient } from "./client";
import { MISSING_TOKEN_MESSAGE, resolveApiSettings, type ConfigSource } from "./config";
import { diffInputs } from "./diff";
import { checkInputs, normalizedInputs } from "./inputs";
import {
  createJob,
  deleteJob,
  readJob,
  updateJob,
  type LifecycleContext,
  type ProviderInputs,
} from "./lifecycle";
import type { IndexingJobState } from "./outputs";
import type { PollPolicy } from "./wait";

export { IndexingJobError } from "./lifecycle";

/** Tuning only; plain data, since it is serialized with the provider. */
export interface IndexingJobProviderOptions {
  /** Poll timing (see PollPolicy). */
  poll?: Partial<PollPolicy>;
  /** Requests a minute this process may send with one token (default 200; the API allows 250). */
  requestsPerMinute?: number;
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

export class IndexingJobProvider implements pulumi.dynamic.ResourceProvider<
  ProviderInputs,
  IndexingJobState
> {
  readonly options: IndexingJobProviderOptions;

  constructor(options: IndexingJobProviderOptions = {}) {
    this.options = options;
  }

  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    runtimeOf(this).config = req.config;
  }

  /** Refuses bad input, naming each property, before any API call. */
  async check(
    _olds: ProviderInputs,
    news: ProviderInputs,
  ): Promise<pulumi.dynamic.CheckResult<ProviderInputs>> {
    const inputs = normalizedInputs(news as unknown as Record<string, unknown>);
    return { inputs: inputs as unknown as ProviderInputs, failures: checkInputs(inputs) };
  }

  /** Pure: no API call. */
  async diff(_id: string, olds: IndexingJobState, news: ProviderInputs): Promise<pulumi.dynamic.DiffResult> {
    return diffInputs(olds, news);
  }

  async create(inputs: ProviderInputs): Promise<pulumi.dynamic.CreateResult<IndexingJobState>> {
    return createJob(this.context(), inputs);
  }

  async update(
    id: string,
    olds: IndexingJobState,
    news: ProviderInputs,
  ): Promise<pulumi.dynamic.UpdateResult<IndexingJobState>> {
    return { outs: await updateJob(this.context(), id, olds, news) };
  }

  async read(id: string, props?: IndexingJobState): Promise<pulumi.dynamic.ReadResult<IndexingJobState>> {
    const state = await readJob(this.context(), id, props);
    // An empty id tells the engine the resource is gone.
    return state ? { id, props: state } : { id: "" };
  }

  async delete(id: string, props: IndexingJobState): Promise<void> {
    await deleteJob(this.context(), id, props);
  }

  private context(): LifecycleContext {
    const runtime = runtimeOf(this);
    const { requestsPerMinute, poll } = this.options;
    return {
      poll,
      api: () => {
        if (runtime.client) return runtime.client;
        const { token, baseUrl } = resolveApiSettings(runtime.config);
        if (!token) throw new Error(MISSING_TOKEN_MESSAGE);
        return (runtime.client = new GradientClient({ token, baseUrl, requestsPerMinute }));
      },
    };
  }
}
