/**
 * IndexingJobProvider: the dynamic provider behind IndexingJob.
 *
 * Pulumi serializes this object into the state (`__provider`), and with it every function its methods
 * reach. So its methods reach nothing but the handlers, loaded by the package's name when the host calls
 * them (load.ts): the stored text is a few kilobytes in every install mode, never the library's code. It
 * holds no token and no client either (runtime.ts).
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as Handlers from "./handlers";
import { loadFromPackage } from "../host/load";
import type { ProviderInputs } from "./lifecycle";
import type { IndexingJobState } from "./outputs";
import type { PollPolicy } from "../waiting/poller";

export { IndexingJobError } from "./lifecycle";

/** Tuning only; plain data, since it is serialized with the provider. */
export interface IndexingJobProviderOptions {
  /** Poll timing (see PollPolicy). */
  poll?: Partial<PollPolicy>;
  /** Requests a minute this process may send with one token (default 200; the API allows 250). */
  requestsPerMinute?: number;
}

/** The package's handlers, as installed where the provider runs. */
function loadHandlers(): typeof Handlers {
  return loadFromPackage<typeof Handlers>("pulumi-gradient-indexing/dist/provider/handlers.js");
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
    return loadHandlers().configure(this, req);
  }

  async check(
    _olds: ProviderInputs,
    news: ProviderInputs,
  ): Promise<pulumi.dynamic.CheckResult<ProviderInputs>> {
    return loadHandlers().check(news);
  }

  async diff(_id: string, olds: IndexingJobState, news: ProviderInputs): Promise<pulumi.dynamic.DiffResult> {
    return loadHandlers().diff(olds, news);
  }

  async create(inputs: ProviderInputs): Promise<pulumi.dynamic.CreateResult<IndexingJobState>> {
    return loadHandlers().create(this, inputs);
  }

  async update(
    id: string,
    olds: IndexingJobState,
    news: ProviderInputs,
  ): Promise<pulumi.dynamic.UpdateResult<IndexingJobState>> {
    return loadHandlers().update(this, id, olds, news);
  }

  async read(id: string, props?: IndexingJobState): Promise<pulumi.dynamic.ReadResult<IndexingJobState>> {
    return loadHandlers().read(this, id, props);
  }

  async delete(id: string, props: IndexingJobState): Promise<void> {
    return loadHandlers().remove(this, id, props);
  }
}
