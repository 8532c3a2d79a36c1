/**
 * What each call of the host does for an IndexingJob. The serialized IndexingJobProvider holds none of
 * this: it loads it through the package's stable entry (../entry.ts) when the host calls it.
 */
import type { Handlers, ProviderObject } from "../host/shell";
import { readResult } from "../host/shell";
import { apiClient, configureProcess } from "../host/process-config";
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

type JobProvider = ProviderObject<IndexingJobProviderOptions>;

/** The API (the resource's own token and endpoint, else the stack's) and the provider's poll tuning. */
function contextOf(provider: JobProvider, inputs: Partial<ProviderInputs> | undefined): LifecycleContext {
  const { poll, requestsPerMinute } = provider.options;
  const overrides = {
    token: inputs?.token,
    apiEndpoint: inputs?.apiEndpoint,
    requestsPerMinute: inputs?.requestsPerMinute ?? requestsPerMinute,
  };
  return { poll, api: () => apiClient(provider, overrides) };
}

export const handlers: Handlers<ProviderInputs, IndexingJobState, IndexingJobProviderOptions> = {
  configure: async (provider, req) => configureProcess(provider, req),
  /** Refuses bad input, naming each property, before any API call. */
  check: async (_olds, news) => {
    const inputs = normalizedInputs(news as unknown as Record<string, unknown>);
    return { inputs: inputs as unknown as ProviderInputs, failures: checkInputs(inputs) };
  },
  /** Pure: no API call. */
  diff: async (_id, olds, news) => diffInputs(olds, news),
  create: (provider, inputs) => createJob(contextOf(provider, inputs), inputs),
  update: async (provider, id, olds, news) => ({
    outs: await updateJob(contextOf(provider, news), id, olds, news),
  }),
  read: async (provider, id, props) => readResult(id, await readJob(contextOf(provider, props), id, props)),
  delete: (provider, id, props) => deleteJob(contextOf(provider, props), id, props),
};
