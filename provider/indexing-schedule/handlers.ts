/**
 * What each call of IndexingScheduleProvider does. Like the IndexingJob handlers, this module is loaded
 * by the package's name when the host calls the provider, so it is never serialized into the state.
 */
import type * as pulumi from "@pulumi/pulumi";
import { apiOf, configureRuntime } from "../host/process-config";
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
import type { IndexingScheduleProviderOptions } from "./provider";

/** The provider object as handlers see it: its tuning, and an identity to keep its runtime under. */
export interface ScheduleProviderObject {
  readonly options: IndexingScheduleProviderOptions;
}

function contextOf(provider: ScheduleProviderObject): ScheduleContext {
  return { api: () => apiOf(provider, provider.options.requestsPerMinute) };
}

export async function configure(
  provider: ScheduleProviderObject,
  req: pulumi.dynamic.ConfigureRequest,
): Promise<void> {
  configureRuntime(provider, req);
}

/** Refuses bad input, naming each property, before any API call. */
export async function check(
  news: ScheduleProviderInputs,
): Promise<pulumi.dynamic.CheckResult<ScheduleProviderInputs>> {
  return { inputs: news, failures: checkScheduleInputs(news as unknown as Record<string, unknown>) };
}

/** Pure: no API call. Any change replaces (the API has no update). */
export async function diff(
  olds: IndexingScheduleState,
  news: ScheduleProviderInputs,
): Promise<pulumi.dynamic.DiffResult> {
  return diffSchedule(olds, news);
}

export async function create(
  provider: ScheduleProviderObject,
  inputs: ScheduleProviderInputs,
): Promise<pulumi.dynamic.CreateResult<IndexingScheduleState>> {
  return createSchedule(contextOf(provider), inputs);
}

export async function read(
  provider: ScheduleProviderObject,
  id: string,
  props?: IndexingScheduleState,
): Promise<pulumi.dynamic.ReadResult<IndexingScheduleState>> {
  const state = await readSchedule(contextOf(provider), id, props);
  // An empty id tells the engine the resource is gone.
  return state ? { id, props: state } : { id: "" };
}

export async function remove(
  provider: ScheduleProviderObject,
  id: string,
  props: IndexingScheduleState,
): Promise<void> {
  await deleteSchedule(contextOf(provider), id, props);
}
