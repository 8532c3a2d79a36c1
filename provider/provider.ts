/**
 * IndexingJobProvider: the dynamic provider behind IndexingJob.
 *
 * Pulumi serializes this object into the state (`__provider`), and with it every function its methods
 * reach. So its methods reach nothing but `loadHandlers()`, which requires the package by its name when
 * the host calls them (the host resolves it from the project's node_modules): whether the package was
 * installed from npm, a directory, a link or a workspace, the stored text is the same couple of
 * kilobytes, and never the library's code. It holds no token and no client either (see handlers.ts).
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as Handlers from "./handlers";
import type { ProviderInputs } from "./lifecycle";
import type { IndexingJobState } from "./outputs";
import type { PollPolicy } from "./wait";

export { IndexingJobError } from "./lifecycle";

/** Tuning only; plain data, since it is serialized with the provider. */
export interface IndexingJobProviderOptions {
  /** Poll timing (see PollPolicy). */
  poll?: Partial<PollPolicy>;
  /** Requests a minute this process may send with one token (default 200; the API allows 250). */
  requestsPerMinute?: number;
}

// Held in a variable so that bundlers leave the require to run time.
const HANDLERS_MODULE = "pulumi-gradient-indexing/dist/provider/handlers.js";

/** The package's handlers, as installed where the provider runs. */
function loadHandlers(): typeof Handlers {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(HANDLERS_MODULE) as typeof Handlers;
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    throw new Error(
      `The IndexingJob provider could not load ${HANDLERS_MODULE} from ${process.cwd()}: is ` +
        `pulumi-gradient-indexing installed in this Pulumi project (npm install pulumi-gradient-indexing)? ${text}`,
    );
  }
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
