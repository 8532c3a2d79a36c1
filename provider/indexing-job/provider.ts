/**
 * IndexingJobProvider: the dynamic provider behind IndexingJob, a shell Pulumi serializes into the
 * state (../host/shell.ts). Tools and tests drive it through Pulumi's host.
 */
import { ProviderShell } from "../host/shell";
import type { PollPolicy } from "../waiting/poller";
import type { ProviderInputs } from "./lifecycle";
import type { IndexingJobState } from "./outputs";

/** Tuning only; plain data, since it is serialized with the provider. */
export interface IndexingJobProviderOptions {
  /** Poll timing (see PollPolicy); a resource's `poll` input goes over it. */
  poll?: Partial<PollPolicy>;
  /** Requests a minute this process may send with one token (default 200; the API allows 250). */
  requestsPerMinute?: number;
}

export class IndexingJobProvider extends ProviderShell<
  ProviderInputs,
  IndexingJobState,
  IndexingJobProviderOptions
> {
  constructor(options: IndexingJobProviderOptions = {}) {
    super("indexingJob", options);
  }
}
