/**
 * What each call of the dynamic provider does. The serialized IndexingJobProvider (provider.ts) holds
 * none of this: it loads this module by the package's name when Pulumi's host calls it, so that the
 * text Pulumi stores stays a few kilobytes however the package was installed.
 *
 * Config and the API client live here, per provider object and per process, never on the object.
 */
import type * as pulumi from "@pulumi/pulumi";
import { GradientClient } from "./client";
import { MISSING_TOKEN_MESSAGE, resolveApiSettings, type ConfigSource } from "./config";
import { diffInputs } from "./diff";
import { checkInputs } from "./inputs";
import {
  createJob,
  deleteJob,
  readJob,
  updateJob,
  type LifecycleContext,
  type ProviderInputs,
} from "./lifecycle";
import type { IndexingJobState } from "./outputs";
import type { IndexingJobProviderOptions } from "./provider";

/** The provider object as handlers see it: its tuning, and an identity to keep its runtime under. */
export interface ProviderObject {
  readonly options: IndexingJobProviderOptions;
}

interface ProviderRuntime {
  config?: ConfigSource;
  client?: GradientClient;
}

/** Per-process state of a provider object (on globalThis, so that every copy of this module shares it). */
function runtimeOf(provider: object): ProviderRuntime {
  const key = Symbol.for("pulumi-gradient-indexing.provider-runtime");
  const scope = globalThis as { [key]?: WeakMap<object, ProviderRuntime> };
  const registry = (scope[key] ??= new WeakMap<object, ProviderRuntime>());
  let runtime = registry.get(provider);
  if (!runtime) registry.set(provider, (runtime = {}));
  return runtime;
}

function contextOf(provider: ProviderObject): LifecycleContext {
  const runtime = runtimeOf(provider);
  const { requestsPerMinute, poll } = provider.options;
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

export async function configure(
  provider: ProviderObject,
  req: pulumi.dynamic.ConfigureRequest,
): Promise<void> {
  runtimeOf(provider).config = req.config;
}

/** Refuses bad input, naming each property, before any API call. */
export async function check(news: ProviderInputs): Promise<pulumi.dynamic.CheckResult<ProviderInputs>> {
  return { inputs: news, failures: checkInputs(news as unknown as Record<string, unknown>) };
}

/** Pure: no API call. */
export async function diff(olds: IndexingJobState, news: ProviderInputs): Promise<pulumi.dynamic.DiffResult> {
  return diffInputs(olds, news);
}

export async function create(
  provider: ProviderObject,
  inputs: ProviderInputs,
): Promise<pulumi.dynamic.CreateResult<IndexingJobState>> {
  return createJob(contextOf(provider), inputs);
}

export async function update(
  provider: ProviderObject,
  id: string,
  olds: IndexingJobState,
  news: ProviderInputs,
): Promise<pulumi.dynamic.UpdateResult<IndexingJobState>> {
  return { outs: await updateJob(contextOf(provider), id, olds, news) };
}

export async function read(
  provider: ProviderObject,
  id: string,
  props?: IndexingJobState,
): Promise<pulumi.dynamic.ReadResult<IndexingJobState>> {
  const state = await readJob(contextOf(provider), id, props);
  // An empty id tells the engine the resource is gone.
  return state ? { id, props: state } : { id: "" };
}

export async function remove(provider: ProviderObject, id: string, props: IndexingJobState): Promise<void> {
  await deleteJob(contextOf(provider), id, props);
}
