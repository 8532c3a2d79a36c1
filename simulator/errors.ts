import type { ApiErrorBody } from "../provider/api/types";

/** An error a route answers with: the status and the `{ id, message }` of the API's error body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly id: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

const ERROR_IDS: Record<number, string> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  409: "conflict",
  422: "unprocessable_entity",
  429: "too_many_requests",
  500: "server_error",
  502: "bad_gateway",
  503: "service_unavailable",
  504: "gateway_timeout",
};

/** The error `id` DigitalOcean uses for a status (e.g. 404 -> "not_found"). */
export function errorIdForStatus(status: number): string {
  return ERROR_IDS[status] ?? (status >= 500 ? "server_error" : "bad_request");
}

export const badRequest = (message: string) => new ApiError(400, "bad_request", message);
export const notFound = (message: string) => new ApiError(404, "not_found", message);

export function errorBody(id: string, message: string, requestId: string): ApiErrorBody {
  return { id, message, request_id: requestId };
}
