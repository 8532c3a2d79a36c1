/**
 * IndexingScheduleProvider: the dynamic provider behind IndexingSchedule, the same shell as the
 * IndexingJob's (../host/shell.ts).
 */
import { ProviderShell } from "../host/shell";
import type { ScheduleProviderInputs } from "./lifecycle";
import type { IndexingScheduleState } from "./outputs";

/** Tuning only; plain data, since it is serialized with the provider. */
export interface IndexingScheduleProviderOptions {
  /** Requests a minute this process may send with one token (default 200; the API allows 250). */
  requestsPerMinute?: number;
}

export class IndexingScheduleProvider extends ProviderShell<
  ScheduleProviderInputs,
  IndexingScheduleState,
  IndexingScheduleProviderOptions
> {
  constructor(options: IndexingScheduleProviderOptions = {}) {
    super("indexingSchedule", options);
  }
}
