/**
 * What each call of the host does for an IndexingSchedule; loaded, like the IndexingJob's, through the
 * package's stable entry (../entry.ts), never serialized into the state.
 */
import type { Handlers, ProviderObject } from "../host/shell";
import { readResult } from "../host/shell";
import { apiClient, configureProcess } from "../host/process-config";
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

type ScheduleProvider = ProviderObject<IndexingScheduleProviderOptions>;

function contextOf(
  provider: ScheduleProvider,
  inputs: Partial<ScheduleProviderInputs> | undefined,
): ScheduleContext {
  const overrides = {
    token: inputs?.token,
    apiEndpoint: inputs?.apiEndpoint,
    requestsPerMinute: inputs?.requestsPerMinute ?? provider.options.requestsPerMinute,
  };
  return { api: () => apiClient(provider, overrides) };
}

export const handlers: Handlers<
  ScheduleProviderInputs,
  IndexingScheduleState,
  IndexingScheduleProviderOptions
> = {
  configure: async (provider, req) => configureProcess(provider, req),
  /** Refuses bad input, naming each property, before any API call. */
  check: async (_olds, news) => ({
    inputs: news,
    failures: checkScheduleInputs(news as unknown as Record<string, unknown>),
  }),
  /** Pure: no API call. Any change replaces (the API has no update). */
  diff: async (_id, olds, news) => diffSchedule(olds, news),
  create: (provider, inputs) => createSchedule(contextOf(provider, inputs), inputs),
  // Only a new token or rate comes here (diff replaces on anything else): recorded, no API call.
  update: async (_provider, _id, olds, news) => {
    const outs: Record<string, unknown> = { ...olds, ...news };
    delete outs.__provider;
    for (const key of ["token", "apiEndpoint", "requestsPerMinute"]) if (!(key in news)) delete outs[key];
    return { outs: outs as unknown as IndexingScheduleState };
  },
  read: async (provider, id, props) =>
    readResult(id, await readSchedule(contextOf(provider, props), id, props)),
  delete: (provider, id, props) => deleteSchedule(contextOf(provider, props), id, props),
};
