/**
 * What a GradientClient takes: its options and the shapes of its requests. Free of ky, so that code
 * that only names them (the provider's check and diff) does not load it.
 */
import type { RateLimiter } from "./rate-limiter";

export const PUBLIC_API_URL = "https://api.digitalocean.com";

export interface ClientOptions {
  token: string;
  /** Default: `https://api.digitalocean.com`. */
  baseUrl?: string;
  /** Time allowed for one attempt of one request. Default 30 s. */
  attemptTimeoutMs?: number;
  /** Retries of one request after the first attempt. Default 5. */
  retryLimit?: number;
  /** Longest wait a 429's reset time may impose before a retry. Default 65 s. */
  maxRetryAfterMs?: number;
  /** Rate limiter; default: the one this process shares for this token and URL. */
  rateLimiter?: RateLimiter;
  /** Requests a minute for the shared rate limiter (ignored when `rateLimiter` is given). */
  requestsPerMinute?: number;
}

/** What every request method takes last. */
export interface RequestOptions {
  /**
   * Stops the request when it aborts: the attempt in flight, its retries, and any wait for the rate
   * limit or a 429's reset. The call then fails with a `DigitalOceanApiError` of kind `network` whose
   * message gives the signal's reason, so a caller handles it as it handles no answer.
   */
  signal?: AbortSignal;
}

export interface PageRequest {
  page?: number;
  perPage?: number;
}

export interface CreateScheduleRequest {
  knowledgeBaseUuid: string;
  /** "HH:MM", UTC. */
  time: string;
  /** Cron day numbers, Monday = 1. */
  days: readonly number[];
}

export interface StartJobRequest {
  knowledgeBaseUuid: string;
  /** Omitted or empty: all of the knowledge base's data sources. */
  dataSourceUuids?: readonly string[];
}
