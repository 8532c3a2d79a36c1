/**
 * Every failure of an API call surfaces as one {@link DigitalOceanApiError}. It is built from the
 * method, path and the API's error body only: never from the request itself, whose headers carry the
 * token, so printing or serializing the error cannot leak it.
 */
export type ApiErrorKind =
  /** The API answered with an error status. */
  | "http"
  /** No answer: connection refused or dropped, or the request timed out. */
  | "network"
  /** An answer that is not the JSON the spec promises. */
  | "malformed";

export interface ApiErrorDetails {
  kind: ApiErrorKind;
  method: string;
  path: string;
  status?: number;
  errorId?: string;
  apiMessage?: string;
  requestId?: string;
  detail?: string;
}

export class DigitalOceanApiError extends Error {
  override readonly name = "DigitalOceanApiError";
  readonly kind: ApiErrorKind;
  /** HTTP status, when the API answered. */
  readonly status: number | undefined;
  /** The API's error `id`, e.g. `not_found`, `too_many_requests`. */
  readonly errorId: string | undefined;
  /** The API's error `message`. */
  readonly apiMessage: string | undefined;
  /** The API's `request_id`, to quote to DigitalOcean support. */
  readonly requestId: string | undefined;
  readonly method: string;
  readonly path: string;

  constructor(details: ApiErrorDetails) {
    const message = DigitalOceanApiError.describe(details);
    super(message);
    this.kind = details.kind;
    this.status = details.status;
    this.errorId = details.errorId;
    this.apiMessage = details.apiMessage;
    this.requestId = details.requestId;
    this.method = details.method;
    this.path = details.path;
  }

  private static describe(d: ApiErrorDetails): string {
    const call = `${d.method} ${d.path}`;
    switch (d.kind) {
      case "http": {
        const what = [d.errorId, d.apiMessage].filter(Boolean).join(": ") || "no error body";
        const hint = d.status === 401 ? " (check the token: digitalocean:token or DIGITALOCEAN_TOKEN)" : "";
        const request = d.requestId ? ` [request_id ${d.requestId}]` : "";
        return `DigitalOcean API ${call} failed with HTTP ${d.status}: ${what}${hint}${request}`;
      }
      case "network":
        return `DigitalOcean API ${call} got no answer: ${d.detail ?? "network error"}`;
      case "malformed":
        return `DigitalOcean API ${call} answered with a body that is not the expected JSON: ${d.detail ?? ""}`.trim();
    }
  }
}

export function isApiError(error: unknown): error is DigitalOceanApiError {
  return error instanceof DigitalOceanApiError;
}

/** True for an API answer with one of the given HTTP statuses. */
export function hasStatus(error: unknown, ...statuses: number[]): error is DigitalOceanApiError {
  return isApiError(error) && error.status !== undefined && statuses.includes(error.status);
}

/** What waiting cures: no answer or a garbled one, a timeout, the rate limit, a server error. */
export function isOutage(error: unknown): error is DigitalOceanApiError {
  if (!isApiError(error)) return false;
  return error.kind !== "http" || [408, 429].includes(error.status ?? 0) || (error.status ?? 0) >= 500;
}
