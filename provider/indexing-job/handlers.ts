/**
 * What each call of the dynamic provider does. The serialized IndexingJobProvider (provider.ts) holds
 * none of this: it loads this module by the package's name when Pulumi's host calls it, so that the
 * text Pulumi stores stays a few kilobytes however the package was installed.
 *
 * Config and the API client live in runtime.ts, per provider object and per process, never on the object.
 */
import type * as pulumi from "@pulumi/pulumi";
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
import type { IndexingJobProviderOptions } from "./provider";
import { apiOf, configureRuntime } from "../host/process-config";

/** The provider object as handlers see it: its tuning, and an identity to keep its runtime under. */
export interface ProviderObject {
  readonly options: IndexingJobProviderOptions;
}

function contextOf(provider: ProviderObject): LifecycleContext {
  const { requestsPerMinute, poll } = provider.options;
  return { poll, api: () => apiOf(provider, requestsPerMinute) };
}

export async function configure(
  provider: ProviderObject,
  req: pulumi.dynamic.ConfigureRequest,
): Promise<void> {
  configureRuntime(provider, req);
}

/** Refuses bad input, naming each property, before any API call. */
export async function check(news: ProviderInputs): Promise<pulumi.dynamic.CheckResult<ProviderInputs>> {
  const inputs = normalizedInputs(news as unknown as Record<string, unknown>);
  return { inputs: inputs as unknown as ProviderInputs, failures: checkInputs(inputs) };
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
