/**
 * What the simulated API answers to a request, in the order DO applies its checks: authentication,
 * rate limit, body, route. Synchronous, so each request sees and changes the state atomically.
 */
import type { Clock } from "../provider/clock";
import { ApiError, errorBody, errorIdForStatus } from "./errors";
import type { SlidingWindowRateLimiter } from "./ratelimit";
import type { Router } from "./router";

export interface Answer {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export interface IncomingApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  /** The `Accept` header, if any. */
  accept?: string;
  /** The parsed body, `undefined` when empty. */
  body: unknown;
  /** False when the body was not valid JSON. */
  bodyIsJson: boolean;
  /** Absolute URL of the path, without query. */
  pageUrl: string;
  requestId: string;
}

export interface AnswerContext {
  token: string;
  clock: Clock;
  limiter: SlidingWindowRateLimiter;
  router: Router;
  /** Answer 406 when `Accept` excludes application/json. */
  checkAccept?: boolean;
}

export function errorAnswer(
  status: number,
  message: string,
  requestId: string,
  headers: Record<string, string>,
  id = errorIdForStatus(status),
): Answer {
  return { status, body: errorBody(id, message, requestId), headers: { ...headers } };
}

export function answerRequest(request: IncomingApiRequest, context: AnswerContext): Answer {
  const { clock, limiter, router, token } = context;
  const { requestId } = request;
  const now = clock.now();
  const presented = bearerToken(request.authorization);
  if (presented !== token) {
    return errorAnswer(401, "Unable to authenticate you.", requestId, limiter.peek(presented ?? "", now));
  }
  const decision = limiter.tryConsume(token, now);
  if (!decision.allowed) return errorAnswer(429, "API rate limit exceeded.", requestId, decision.headers);
  const { headers } = decision;
  if (context.checkAccept && !acceptsJson(request.accept)) {
    return errorAnswer(
      406,
      `this API only answers application/json, which Accept: ${request.accept ?? ""} excludes`,
      requestId,
      headers,
      "not_acceptable",
    );
  }
  if (!request.bodyIsJson) return errorAnswer(400, "request body is not valid JSON", requestId, headers);

  const match = router.resolve(request.method, request.path);
  if (match.kind === "not-found") {
    return errorAnswer(404, "The resource you requested could not be found.", requestId, headers);
  }
  if (match.kind === "wrong-method") {
    const answer = errorAnswer(
      405,
      `${request.method} is not allowed on ${request.path}`,
      requestId,
      headers,
    );
    answer.headers.allow = match.allowed.join(", ");
    return answer;
  }
  // A path id that is not a UUID is a bad request, not an unknown resource.
  for (const [name, value] of Object.entries(match.params)) {
    if (name.endsWith("uuid") && !isUuid(value)) {
      return errorAnswer(400, `${name} must be a UUID, got ${JSON.stringify(value)}`, requestId, headers);
    }
  }
  try {
    const body = match.handler({
      params: match.params,
      query: request.query,
      body: request.body,
      now,
      pageUrl: request.pageUrl,
    });
    return { status: 200, body, headers: { ...headers } };
  } catch (error) {
    if (error instanceof ApiError)
      return errorAnswer(error.status, error.message, requestId, headers, error.id);
    const detail = error instanceof Error ? error.message : String(error);
    return errorAnswer(500, `simulator error: ${detail}`, requestId, headers);
  }
}

function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  return match?.[1];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** Whether an `Accept` header admits application/json; no header admits anything. */
export function acceptsJson(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === "") return true;
  return accept.split(",").some((range) => {
    const [type = "", ...params] = range.split(";").map((part) => part.trim().toLowerCase());
    const q = params.find((p) => p.startsWith("q="));
    if (q !== undefined && !(Number(q.slice(2)) > 0)) return false;
    return type === "application/json" || type === "application/*" || type === "*/*";
  });
}
