/** `pulumi-gradient-indexing/client`: a typed client of DigitalOcean's GenAI indexing endpoints, on ky. */
export { GradientClient } from "./client";
export * from "./options";
export { DigitalOceanApiError, isApiError, hasStatus, type ApiErrorKind } from "./errors";
export { RateLimiter, DEFAULT_REQUESTS_PER_MINUTE, type BudgetStats } from "./rate-limiter";
export type * from "../api/types";
