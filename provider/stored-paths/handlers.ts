/**
 * Stored states of 0.1.x: their IndexingJobProvider requires this file by its path
 * (`pulumi-gradient-indexing/dist/provider/handlers.js`) and calls these functions. Kept so that
 * those stacks go on working (see ./README.md).
 */
import type * as pulumi from "@pulumi/pulumi";
import { handlers } from "../indexing-job/handlers";
import type { ProviderInputs } from "../indexing-job/lifecycle";
import type { IndexingJobState } from "../indexing-job/outputs";
import type { IndexingJobProviderOptions } from "../indexing-job/provider";

type StoredProvider = { readonly options: IndexingJobProviderOptions };

export const configure = (provider: StoredProvider, req: pulumi.dynamic.ConfigureRequest) =>
  handlers.configure(provider, req);
export const check = (news: ProviderInputs) => handlers.check(news, news);
export const diff = (olds: IndexingJobState, news: ProviderInputs) => handlers.diff("", olds, news);
export const create = (provider: StoredProvider, inputs: ProviderInputs) => handlers.create(provider, inputs);
export const update = (provider: StoredProvider, id: string, olds: IndexingJobState, news: ProviderInputs) =>
  handlers.update(provider, id, olds, news);
export const read = (provider: StoredProvider, id: string, props?: IndexingJobState) =>
  handlers.read(provider, id, props);
export const remove = (provider: StoredProvider, id: string, props: IndexingJobState) =>
  handlers.delete(provider, id, props);
