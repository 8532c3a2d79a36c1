/**
 * Stored states of 0.1.x: their IndexingScheduleProvider requires this file by its path
 * (`pulumi-gradient-indexing/dist/provider/schedule/handlers.js`). Kept so that those stacks go on
 * working (see ./README.md).
 */
import type * as pulumi from "@pulumi/pulumi";
import { handlers } from "../indexing-schedule/handlers";
import type { ScheduleProviderInputs } from "../indexing-schedule/lifecycle";
import type { IndexingScheduleState } from "../indexing-schedule/outputs";
import type { IndexingScheduleProviderOptions } from "../indexing-schedule/provider";

type StoredProvider = { readonly options: IndexingScheduleProviderOptions };

export const configure = (provider: StoredProvider, req: pulumi.dynamic.ConfigureRequest) =>
  handlers.configure(provider, req);
export const check = (news: ScheduleProviderInputs) => handlers.check(news, news);
export const diff = (olds: IndexingScheduleState, news: ScheduleProviderInputs) =>
  handlers.diff("", olds, news);
export const create = (provider: StoredProvider, inputs: ScheduleProviderInputs) =>
  handlers.create(provider, inputs);
export const read = (provider: StoredProvider, id: string, props?: IndexingScheduleState) =>
  handlers.read(provider, id, props);
export const remove = (provider: StoredProvider, id: string, props: IndexingScheduleState) =>
  handlers.delete(provider, id, props);
