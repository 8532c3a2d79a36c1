export {
  GradientClient,
  PUBLIC_API_URL,
  type ClientOptions,
  type CreateScheduleRequest,
  type PageRequest,
  type StartJobRequest,
} from "./client";
export { DigitalOceanApiError, isApiError, hasStatus, type ApiErrorKind } from "./errors";
export { RequestBudget, sharedBudget, DEFAULT_REQUESTS_PER_MINUTE, type BudgetStats } from "./rate-limiter";
export { parseCount } from "./convert";
