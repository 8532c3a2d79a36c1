/**
 * A typed client for DigitalOcean's GenAI indexing endpoints, on ky.
 *
 * ky does the retrying: GET and PUT retry on 408/429/5xx and dropped connections with jittered
 * backoff, a 429 waits for `ratelimit-reset`, and 4xx answers are final. A POST that starts a job is
 * retried only after a 429: any other failure may have started a job, and only the caller knows which
 * jobs existed before it sent the start (see provider/indexing-job/start.ts).
 *
 * Every method takes a last `{ signal }`: ky stops the attempt, its retries and a 429's wait when it
 * aborts, and the rate limiter gives up the request's turn, so a caller's deadline bounds the call.
 */
import ky, { HTTPError, TimeoutError, type KyInstance, type Options } from "ky";
import type {
  ApiErrorBody,
  CreateIndexingScheduleBody,
  IndexedDataSource,
  IndexingScheduleInfo,
  IndexingJob,
  KnowledgeBase,
  KnowledgeBaseDataSource,
  Page,
  StartIndexingJobBody,
  WireIndexedDataSource,
  WireIndexingJob,
  WireKnowledgeBase,
  WireKnowledgeBaseDataSource,
  WireLinks,
  WireMeta,
} from "../api/types";
import {
  fromWireDataSource,
  fromWireJob,
  fromWireKnowledgeBase,
  fromWireKnowledgeBaseDataSource,
} from "./convert";
import { sharedRateLimiter, type RateLimiter } from "./rate-limiter";
import { DigitalOceanApiError } from "./errors";
import {
  PUBLIC_API_URL,
  type ClientOptions,
  type CreateScheduleRequest,
  type PageRequest,
  type RequestOptions,
  type StartJobRequest,
} from "./options";

const USER_AGENT = "pulumi-gradient-indexing";
/** How long an urgent request may take: SIGKILL follows SIGINT by 5 s. */
const URGENT_TIMEOUT_MS = 3_000;

interface Listing {
  links?: WireLinks;
  meta?: WireMeta;
}

export class GradientClient {
  readonly baseUrl: string;
  readonly rateLimiter: RateLimiter;
  private readonly http: KyInstance;
  private readonly urgent: KyInstance;

  constructor(options: ClientOptions) {
    if (!options.token) throw new Error("A DigitalOcean API token is required");
    this.baseUrl = (options.baseUrl ?? PUBLIC_API_URL).replace(/\/+$/, "");
    const limiter =
      options.rateLimiter ?? sharedRateLimiter(this.baseUrl, options.token, options.requestsPerMinute);
    this.rateLimiter = limiter;
    const common: Options = {
      prefixUrl: this.baseUrl,
      // The spec's only media type. Without it ky's `.text()` would send `Accept: text/*`, which a
      // server honouring the spec answers with a 406.
      headers: {
        authorization: `Bearer ${options.token}`,
        "user-agent": USER_AGENT,
        accept: "application/json",
      },
    };
    // Outside the rate limiter and its pauses, one quick try: a cancel when the deploy is
    // interrupted must be sent within the seconds before the engine kills this process.
    this.urgent = ky.create({ ...common, timeout: URGENT_TIMEOUT_MS, retry: 0 });
    this.http = ky.create({
      ...common,
      timeout: options.attemptTimeoutMs ?? 30_000,
      retry: {
        limit: options.retryLimit ?? 5,
        methods: ["get", "put", "delete"],
        statusCodes: [408, 429, 500, 502, 503, 504],
        // Only a 429 waits for `ratelimit-reset`: every answer carries that header, and for other
        // statuses it names the hourly window, not when to retry.
        afterStatusCodes: [429],
        maxRetryAfter: options.maxRetryAfterMs ?? 65_000,
        backoffLimit: 10_000,
        jitter: true,
      },
      // `acquire` lets each attempt out before ky's per-attempt timeout starts; `send` counts it in
      // flight until its fetch settles, answered or not.
      fetch: (input, init) => limiter.send(() => globalThis.fetch(input, init)),
      hooks: {
        // The request's signal is the caller's (with ky's own timeout's): a turn that comes after it
        // aborted is not taken.
        beforeRequest: [(request) => acquireUntil(limiter, request.signal)],
      },
    });
  }

  // ---- indexing jobs

  async listIndexingJobs(page: PageRequest = {}, options: RequestOptions = {}): Promise<Page<IndexingJob>> {
    const body = await this.get<Listing & { jobs?: WireIndexingJob[] }>(
      "v2/gen-ai/indexing_jobs",
      options,
      page,
    );
    return { items: (body.jobs ?? []).map(fromWireJob), links: body.links, meta: body.meta };
  }

  /** Every indexing job of the account, page after page. */
  allIndexingJobs(perPage = 100, options: RequestOptions = {}): AsyncIterable<IndexingJob> {
    return this.paginate((page) => this.listIndexingJobs({ page, perPage }, options));
  }

  /**
   * Sends one start. Only a 429 is retried (it was refused before anything started); any other failure
   * is thrown, since the job may have started anyway: the caller, who listed the knowledge base's jobs
   * before sending, tells which job is new (see provider/indexing-job/start.ts). A signal that stops it
   * once sent is such a failure too: the API may have acted on it.
   */
  async startIndexingJob(request: StartJobRequest, options: RequestOptions = {}): Promise<IndexingJob> {
    const json: StartIndexingJobBody = {
      knowledge_base_uuid: request.knowledgeBaseUuid,
      data_source_uuids: [...(request.dataSourceUuids ?? [])],
    };
    const kyOptions: Options = {
      json,
      signal: options.signal,
      retry: {
        methods: ["post"],
        statusCodes: [429],
        shouldRetry: ({ error }) =>
          error instanceof HTTPError && error.response.status === 429 ? undefined : false,
      },
    };
    const body = await this.call<{ job?: WireIndexingJob }>("POST", "v2/gen-ai/indexing_jobs", kyOptions);
    if (!body.job?.uuid) throw this.malformed("POST", "v2/gen-ai/indexing_jobs", "no job in the answer");
    return fromWireJob(body.job);
  }

  async getIndexingJob(uuid: string, options: RequestOptions = {}): Promise<IndexingJob> {
    const path = `v2/gen-ai/indexing_jobs/${encodeURIComponent(uuid)}`;
    const body = await this.get<{ job?: WireIndexingJob }>(path, options);
    if (!body.job) throw this.malformed("GET", path, "no job in the answer");
    return fromWireJob(body.job);
  }

  /**
   * Asks the API to cancel a job; it may go on showing RUNNING for a while. `urgent` sends it at once,
   * past the rate limiter and any pause it keeps, and tries once (an interrupted deploy's cancel).
   */
  async cancelIndexingJob(
    uuid: string,
    options: RequestOptions & { urgent?: boolean } = {},
  ): Promise<IndexingJob> {
    const path = `v2/gen-ai/indexing_jobs/${encodeURIComponent(uuid)}/cancel`;
    const http = options.urgent ? this.urgent : this.http;
    const kyOptions: Options = { json: { uuid }, signal: options.signal };
    const body = await this.call<{ job?: WireIndexingJob }>("PUT", path, kyOptions, http);
    if (!body.job) throw this.malformed("PUT", path, "no job in the answer");
    return fromWireJob(body.job);
  }

  /** Per-data-source results of one job. */
  async listIndexingJobDataSources(
    jobUuid: string,
    options: RequestOptions = {},
  ): Promise<IndexedDataSource[]> {
    const path = `v2/gen-ai/indexing_jobs/${encodeURIComponent(jobUuid)}/data_sources`;
    const body = await this.get<{ indexed_data_sources?: WireIndexedDataSource[] }>(path, options);
    return (body.indexed_data_sources ?? []).map(fromWireDataSource);
  }

  /** A signed URL of the job's detailed report (available once `is_report_available`). */
  async getIndexingJobReportUrl(jobUuid: string, options: RequestOptions = {}): Promise<string | undefined> {
    const path = `v2/gen-ai/indexing_jobs/${encodeURIComponent(jobUuid)}/details_signed_url`;
    return (await this.get<{ signed_url?: string }>(path, options)).signed_url;
  }

  // ---- knowledge bases

  /** The latest 15 jobs of one knowledge base, newest first (the API's own limit). */
  async listKnowledgeBaseIndexingJobs(
    knowledgeBaseUuid: string,
    options: RequestOptions = {},
  ): Promise<Page<IndexingJob>> {
    const path = `v2/gen-ai/knowledge_bases/${encodeURIComponent(knowledgeBaseUuid)}/indexing_jobs`;
    const body = await this.get<Listing & { jobs?: WireIndexingJob[] }>(path, options);
    return { items: (body.jobs ?? []).map(fromWireJob), links: body.links, meta: body.meta };
  }

  /** The knowledge base and, when the API says, its database's status (`CREATING`, `ONLINE`, ...). */
  async getKnowledgeBaseWithStatus(
    uuid: string,
    options: RequestOptions = {},
  ): Promise<{ knowledgeBase: KnowledgeBase; databaseStatus?: string }> {
    const path = `v2/gen-ai/knowledge_bases/${encodeURIComponent(uuid)}`;
    const body = await this.get<{ knowledge_base?: WireKnowledgeBase; database_status?: string }>(
      path,
      options,
    );
    if (!body.knowledge_base) throw this.malformed("GET", path, "no knowledge_base in the answer");
    return {
      knowledgeBase: fromWireKnowledgeBase(body.knowledge_base),
      databaseStatus: body.database_status,
    };
  }

  async getKnowledgeBase(uuid: string, options: RequestOptions = {}): Promise<KnowledgeBase> {
    const path = `v2/gen-ai/knowledge_bases/${encodeURIComponent(uuid)}`;
    const body = await this.get<{ knowledge_base?: WireKnowledgeBase }>(path, options);
    if (!body.knowledge_base) throw this.malformed("GET", path, "no knowledge_base in the answer");
    return fromWireKnowledgeBase(body.knowledge_base);
  }

  async listKnowledgeBaseDataSources(
    knowledgeBaseUuid: string,
    page: PageRequest = {},
    options: RequestOptions = {},
  ): Promise<Page<KnowledgeBaseDataSource>> {
    const path = `v2/gen-ai/knowledge_bases/${encodeURIComponent(knowledgeBaseUuid)}/data_sources`;
    const body = await this.get<Listing & { knowledge_base_data_sources?: WireKnowledgeBaseDataSource[] }>(
      path,
      options,
      page,
    );
    const items = (body.knowledge_base_data_sources ?? []).map(fromWireKnowledgeBaseDataSource);
    return { items, links: body.links, meta: body.meta };
  }

  allKnowledgeBaseDataSources(
    knowledgeBaseUuid: string,
    perPage = 100,
    options: RequestOptions = {},
  ): AsyncIterable<KnowledgeBaseDataSource> {
    return this.paginate((page) =>
      this.listKnowledgeBaseDataSources(knowledgeBaseUuid, { page, perPage }, options),
    );
  }

  /** The UUIDs of every data source of a knowledge base, lower-cased as the API writes them. */
  async knowledgeBaseDataSourceUuids(
    knowledgeBaseUuid: string,
    options: RequestOptions = {},
  ): Promise<string[]> {
    const ids: string[] = [];
    for await (const source of this.allKnowledgeBaseDataSources(knowledgeBaseUuid, 100, options))
      if (source.uuid) ids.push(source.uuid.toLowerCase());
    return ids;
  }

  // ---- scheduled indexing

  /**
   * Creates a knowledge base's indexing schedule. When an attempt's answer is lost, the knowledge base's
   * schedule tells whether it was created anyway, and is returned instead of creating it twice.
   */
  async createIndexingSchedule(
    request: CreateScheduleRequest,
    options: RequestOptions = {},
  ): Promise<IndexingScheduleInfo> {
    const path = "v2/gen-ai/scheduled-indexing";
    const json: CreateIndexingScheduleBody = {
      knowledge_base_uuid: request.knowledgeBaseUuid,
      time: request.time,
      days: [...request.days],
    };
    const sentAt = Date.now();
    const kyOptions: Options = {
      json,
      signal: options.signal,
      retry: { methods: ["post"] },
      hooks: {
        beforeRetry: [
          async ({ error }) => {
            if (error instanceof HTTPError && error.response.status === 429) return;
            const found = await this.findScheduleCreatedSince(request, sentAt, options);
            if (found) return Response.json({ indexing_info: found });
          },
        ],
      },
    };
    const body = await this.call<{ indexing_info?: IndexingScheduleInfo }>("POST", path, kyOptions);
    if (!body.indexing_info?.uuid) throw this.malformed("POST", path, "no indexing_info in the answer");
    return body.indexing_info;
  }

  /** The knowledge base's indexing schedule; a 404 when it has none. */
  async getIndexingSchedule(
    knowledgeBaseUuid: string,
    options: RequestOptions = {},
  ): Promise<IndexingScheduleInfo> {
    const path = `v2/gen-ai/scheduled-indexing/knowledge-base/${encodeURIComponent(knowledgeBaseUuid)}`;
    const body = await this.get<{ indexing_info?: IndexingScheduleInfo }>(path, options);
    if (!body.indexing_info) throw this.malformed("GET", path, "no indexing_info in the answer");
    return body.indexing_info;
  }

  async deleteIndexingSchedule(
    uuid: string,
    options: RequestOptions = {},
  ): Promise<IndexingScheduleInfo | undefined> {
    const path = `v2/gen-ai/scheduled-indexing/${encodeURIComponent(uuid)}`;
    const kyOptions: Options = { signal: options.signal };
    return (await this.call<{ indexing_info?: IndexingScheduleInfo }>("DELETE", path, kyOptions))
      .indexing_info;
  }

  // ---- plumbing

  private async findScheduleCreatedSince(
    request: CreateScheduleRequest,
    sentAt: number,
    options: RequestOptions,
  ): Promise<IndexingScheduleInfo | undefined> {
    let info: IndexingScheduleInfo;
    try {
      info = await this.getIndexingSchedule(request.knowledgeBaseUuid, options);
    } catch {
      return undefined;
    }
    // The API shows the time as HH:MM:SS; clocks differ, so allow generous skew.
    const sameTime = (info.time ?? "").startsWith(request.time);
    const sameDays = sameDaySet(info.days ?? [], request.days);
    const created = Date.parse(info.created_at ?? "");
    const recent = Number.isFinite(created) && created >= sentAt - 120_000;
    return info.uuid && !info.deleted_at && sameTime && sameDays && recent ? info : undefined;
  }

  private async *paginate<T>(fetchPage: (page: number) => Promise<Page<T>>): AsyncGenerator<T> {
    for (let page = 1; ;) {
      const result = await fetchPage(page);
      yield* result.items;
      // Follow `links.pages.next` by its page number only: the link is the API's, the host is ours,
      // and the token must not travel to wherever a link might point.
      const next = nextPageNumber(result);
      if (next === undefined || next <= page || result.items.length === 0) return;
      page = next;
    }
  }

  private get<T>(path: string, options: RequestOptions, page?: PageRequest): Promise<T> {
    const searchParams: Record<string, number> = {};
    if (page?.page !== undefined) searchParams.page = page.page;
    if (page?.perPage !== undefined) searchParams.per_page = page.perPage;
    return this.call<T>("GET", path, { searchParams, signal: options.signal });
  }

  private async call<T>(
    method: "GET" | "POST" | "PUT" | "DELETE",
    path: string,
    options: Options,
    http: KyInstance = this.http,
  ): Promise<T> {
    let text: string;
    try {
      const response = await http(path, { ...options, method });
      text = await response.text();
    } catch (error) {
      // Stopped by the caller: ky reports the signal's reason (or the fetch's AbortError), whichever
      // came first; say it was the caller's signal, not the network.
      if (options.signal?.aborted) throw stoppedError(method, path, options.signal);
      throw await toApiError(method, path, error);
    }
    let body: T;
    try {
      body = JSON.parse(text) as T;
    } catch {
      throw this.malformed(method, path, `${text.length} bytes that do not parse`);
    }
    return body;
  }

  private malformed(method: string, path: string, detail: string): DigitalOceanApiError {
    return new DigitalOceanApiError({ kind: "malformed", method, path: `/${path}`, detail });
  }
}

/** Day sets equal, Sunday counted as 0 or 7 alike. */
function sameDaySet(a: readonly number[], b: readonly number[]): boolean {
  const norm = (days: readonly number[]) => [...new Set(days.map((d) => d % 7))].sort().join(",");
  return norm(a) === norm(b);
}

function nextPageNumber(page: Page<unknown>): number | undefined {
  const next = page.links?.pages?.next;
  if (next) {
    const number = Number(new URL(next, "http://x").searchParams.get("page"));
    return Number.isInteger(number) ? number : undefined;
  }
  const { page: current, pages } = page.meta ?? {};
  return current !== undefined && pages !== undefined && current < pages ? current + 1 : undefined;
}

/** A call its caller's signal stopped: no answer, like a dropped connection, saying why. */
function stoppedError(method: string, path: string, signal: AbortSignal): DigitalOceanApiError {
  const reason: unknown = signal.reason;
  // provider/clock.ts's deadlineSignal says so itself; any other reason is the caller's to name.
  const detail =
    reason instanceof Error && reason.name === "DeadlineError"
      ? reason.message
      : `stopped by the caller's signal${reason instanceof Error ? ` (${reason.message})` : ""}`;
  return new DigitalOceanApiError({ method, path: `/${path}`, kind: "network", detail });
}

/**
 * The rate limiter's turn, given up when `signal` aborts: a request queued behind the budget or a
 * 429's pause must not wait past its caller's deadline. A turn that comes after that is handed back
 * at once, so the slot is not kept from others.
 */
function acquireUntil(limiter: RateLimiter, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  const turn = limiter.acquire();
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      void turn.then(
        () => limiter.release(),
        () => undefined,
      );
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    turn.then(
      () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

async function toApiError(method: string, path: string, error: unknown): Promise<DigitalOceanApiError> {
  const where = { method, path: `/${path}` };
  if (error instanceof HTTPError) {
    const body = await readErrorBody(error.response);
    return new DigitalOceanApiError({
      ...where,
      kind: "http",
      status: error.response.status,
      errorId: body?.id,
      apiMessage: body?.message,
      requestId: body?.request_id ?? error.response.headers.get("x-request-id") ?? undefined,
    });
  }
  if (error instanceof TimeoutError) {
    return new DigitalOceanApiError({ ...where, kind: "network", detail: "timed out" });
  }
  // fetch reports a refused or dropped connection as a TypeError whose cause names the socket error.
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
  const detail = error instanceof Error ? `${error.message}${cause}` : String(error);
  return new DigitalOceanApiError({ ...where, kind: "network", detail });
}

async function readErrorBody(response: Response): Promise<Partial<ApiErrorBody> | undefined> {
  try {
    const body: unknown = await response.json();
    return typeof body === "object" && body !== null ? (body as Partial<ApiErrorBody>) : undefined;
  } catch {
    return undefined;
  }
}
