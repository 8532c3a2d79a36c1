/**
 * IndexingScheduleProvider: the dynamic provider behind IndexingSchedule, a thin adapter from Pulumi's
 * ResourceProvider interface to the steps in `lifecycle.ts`. Built as IndexingJobProvider is: it holds
 * no token and no client (Pulumi writes the serialized object into the state); config arrives through
 * `configure()` or the environment and lives, with the client, in a per-process registry.
 */
import type * as pulumi from "@pulumi/pulumi";
import { GradientClient } from "../client";
import { MISSING_TOKEN_MESSAGE, resolveApiSettings, type ConfigSource } from "../config";
import { diffSchedule } from "./diff";
import { checkScheduleInputs } from "./inputs";
import {
  createSchedule,
  deleteSchedule,
  readSchedule,
  type ScheduleContext,
  type ScheduleProviderInputs,
} from "./lifecycle";
import type { IndexingScheduleState } from "./outputs";

/** Tuning only; plain data, since it is serialized with the provider. */
export interface IndexingScheduleProviderOptions {
  /** Requests a minute this process may send with one token (default 200; the API allows 250). */
  requestsPerMinute?: number;
}

interface ProviderRuntime {
  config?: ConfigSource;
  client?: GradientClient;
}

/** Per-process state of a provider object, kept off the object itself (see the module comment). */
function runtimeOf(provider: object): ProviderRuntime {
  // The same registry as IndexingJobProvider's: keyed by provider object, so the two never mix.
  const key = Symbol.for("pulumi-gradient-indexing.provider-runtime");
  const scope = globalThis as { [key]?: WeakMap<object, ProviderRuntime> };
  let registry = scope[key];
  if (!registry) registry = scope[key] = new WeakMap<object, ProviderRuntime>();
  let runtime = registry.get(provider);
  if (!runtime) registry.set(provider, (runtime = {}));
  return runtime;
}

export class IndexingScheduleProvider implements pulumi.dynamic.ResourceProvider<
  ScheduleProviderInputs,
  IndexingScheduleState
> {
  readonly options: IndexingScheduleProviderOptions;

  constructor(options: IndexingScheduleProviderOptions = {}) {
    this.options = options;
  }

  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    runtimeOf(this).config = req.config;
  }

  /** Refuses bad input, naming each property, before any API call. */
  async check(
    _olds: ScheduleProviderInputs,
    news: ScheduleProviderInputs,
  ): Promise<pulumi.dynamic.CheckResult<ScheduleProviderInputs>> {
    return { inputs: news, failures: checkScheduleInputs(news as unknown as Record<string, unknown>) };
  }

  /** Pure: no API call. Any change replaces (the API has no update). */
  async diff(
    _id: string,
    olds: IndexingScheduleState,
    news: ScheduleProviderInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    return diffSchedule(olds, news);
  }

  async create(inputs: ScheduleProviderInputs): Promise<pulumi.dynamic.CreateResult<IndexingScheduleState>> {
    return createSchedule(this.context(), inputs);
  }

  async read(
    id: string,
    props?: IndexingScheduleState,
  ): Promise<pulumi.dynamic.ReadResult<IndexingScheduleState>> {
    const state = await readSchedule(this.context(), id, props);
    // An empty id tells the engine the resource is gone.
    return state ? { id, props: state } : { id: "" };
  }

  async delete(id: string, props: IndexingScheduleState): Promise<void> {
    await deleteSchedule(this.context(), id, props);
  }

  private context(): ScheduleContext {
    const runtime = runtimeOf(this);
    const { requestsPerMinute } = this.options;
    return {
      api: () => {
        if (runtime.client) return runtime.client;
        const { token, baseUrl } = resolveApiSettings(runtime.config);
        if (!token) throw new Error(MISSING_TOKEN_MESSAGE);
        return (runtime.client = new GradientClient({ token, baseUrl, requestsPerMinute }));
      },
    };
  }
}
