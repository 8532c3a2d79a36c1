/**
 * IndexingScheduleProvider: the dynamic provider behind IndexingSchedule. Serialized into the state as
 * IndexingJobProvider is: a shell whose methods load the handlers by the package's name (../load.ts),
 * holding no token and no client.
 */
import type * as pulumi from "@pulumi/pulumi";
import { loadFromPackage } from "../host/load";
import type * as Handlers from "./handlers";
import type { ScheduleProviderInputs } from "./lifecycle";
import type { IndexingScheduleState } from "./outputs";

/** Tuning only; plain data, since it is serialized with the provider. */
export interface IndexingScheduleProviderOptions {
  /** Requests a minute this process may send with one token (default 200; the API allows 250). */
  requestsPerMinute?: number;
}

/** The package's schedule handlers, as installed where the provider runs. */
function loadHandlers(): typeof Handlers {
  return loadFromPackage<typeof Handlers>("pulumi-gradient-indexing/dist/provider/schedule/handlers.js");
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
    return loadHandlers().configure(this, req);
  }

  async check(
    _olds: ScheduleProviderInputs,
    news: ScheduleProviderInputs,
  ): Promise<pulumi.dynamic.CheckResult<ScheduleProviderInputs>> {
    return loadHandlers().check(news);
  }

  async diff(
    _id: string,
    olds: IndexingScheduleState,
    news: ScheduleProviderInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    return loadHandlers().diff(olds, news);
  }

  async create(inputs: ScheduleProviderInputs): Promise<pulumi.dynamic.CreateResult<IndexingScheduleState>> {
    return loadHandlers().create(this, inputs);
  }

  async read(
    id: string,
    props?: IndexingScheduleState,
  ): Promise<pulumi.dynamic.ReadResult<IndexingScheduleState>> {
    return loadHandlers().read(this, id, props);
  }

  async delete(id: string, props: IndexingScheduleState): Promise<void> {
    return loadHandlers().remove(this, id, props);
  }
}
