/** The HTTP side: reads requests, applies injected faults, logs, and writes answers. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { answerRequest, errorAnswer, type Answer, type AnswerContext } from "./answer";
import { rateLimitAnswer, truncateJson, withUnknownEnums, type FaultQueue } from "./faults";
import { newUuid } from "./random";
import type { Fault, RequestLogEntry } from "./types";

export interface SimulatorServerOptions extends AnswerContext {
  faults: FaultQueue;
  /** Every GET of indexing jobs hangs this long (real time) before it is answered. */
  jobReadLatencyMs?: number;
  /** Appended to in arrival order. */
  requests: RequestLogEntry[];
}

const LOOPBACK = "127.0.0.1";
/** The paths `jobReadLatencyMs` holds back: a job and what hangs off it, and both job lists. */
const JOB_READ = /^\/v2\/gen-ai\/(indexing_jobs(\/.*)?|knowledge_bases\/[^/]+\/indexing_jobs)$/;

export class SimulatorServer {
  readonly #http: Server;
  readonly #options: SimulatorServerOptions;
  readonly #pendingDelays = new Set<NodeJS.Timeout>();
  #url = "";

  constructor(options: SimulatorServerOptions) {
    this.#options = options;
    this.#http = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        // Only a bug of the simulator lands here; answer 500 if still possible.
        if (res.headersSent) return void res.destroy();
        const detail = error instanceof Error ? error.message : String(error);
        const answer = errorAnswer(500, `simulator error: ${detail}`, newUuid(), {});
        send(res, answer.status, JSON.stringify(answer.body), answer.headers, newUuid());
      });
    });
  }

  /** Listens on the loopback interface; resolves to the base URL. */
  listen(port: number): Promise<string> {
    return new Promise((resolve, reject) => {
      this.#http.once("error", reject);
      this.#http.listen(port, LOOPBACK, () => {
        this.#http.off("error", reject);
        const { port } = this.#http.address() as AddressInfo;
        this.#url = `http://${LOOPBACK}:${port}`;
        resolve(this.#url);
      });
    });
  }

  /** The base URL, once listening. */
  get url(): string {
    return this.#url;
  }

  /** Stops listening, cuts open keep-alive connections and forgets delayed answers. */
  close(): Promise<void> {
    for (const timer of this.#pendingDelays) clearTimeout(timer);
    this.#pendingDelays.clear();
    return new Promise((resolve, reject) => {
      this.#http.close((error) => (error ? reject(error) : resolve()));
      this.#http.closeAllConnections();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { clock, faults, requests } = this.#options;
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", this.url);
    const entry: RequestLogEntry = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0,
      at: clock.now(),
    };
    requests.push(entry);
    const fault = faults.take(method, url.pathname);
    if (fault) entry.fault = fault.kind;

    const rawBody = await readBody(req);
    const parsed = parseJson(rawBody);
    if (rawBody.trim() !== "") entry.body = parsed.ok ? parsed.value : rawBody;
    const requestId = newUuid();

    if (fault?.kind === "drop") return void req.socket.destroy();
    if (fault?.kind === "latency") await this.#delay(fault.ms);
    const readLatency = this.#options.jobReadLatencyMs ?? 0;
    if (readLatency > 0 && method === "GET" && JOB_READ.test(url.pathname)) await this.#delay(readLatency);
    // The server's own clock, unlike the timestamps in bodies that `timestampSkewMs` moves.
    res.setHeader("date", new Date(clock.now()).toUTCString());
    if (fault?.kind === "status") {
      entry.status = fault.status;
      return this.#sendStatusFault(res, fault, requestId);
    }
    if (fault?.kind === "rate-limit") {
      entry.status = 429;
      const { limiter, token } = this.#options;
      const answer = rateLimitAnswer(fault, clock.now(), requestId, limiter.peek(token, clock.now()));
      return send(res, answer.status, JSON.stringify(answer.body), answer.headers, requestId);
    }

    const answer = answerRequest(
      {
        method,
        path: url.pathname,
        query: url.searchParams,
        authorization: req.headers.authorization,
        accept: req.headers.accept,
        body: parsed.ok ? parsed.value : undefined,
        bodyIsJson: parsed.ok,
        pageUrl: `${this.url}${url.pathname}`,
        requestId,
      },
      this.#options,
    );
    entry.status = answer.status;
    // The request took effect; only its answer is lost on the way back.
    if (fault?.kind === "drop-after-processing") return void req.socket.destroy();
    if (fault?.kind === "status-after-processing") {
      entry.status = fault.status;
      const lost = errorAnswer(
        fault.status,
        `injected fault: HTTP ${fault.status}`,
        requestId,
        answer.headers,
      );
      return send(res, lost.status, JSON.stringify(lost.body), lost.headers, requestId);
    }
    if (fault?.kind === "malformed-json") {
      entry.status = 200;
      return send(res, 200, truncateJson(JSON.stringify(answer.body)), answer.headers, requestId);
    }
    const body = fault?.kind === "unknown-enum" ? withUnknownEnums(answer.body) : answer.body;
    send(res, answer.status, JSON.stringify(body), answer.headers, requestId);
  }

  /** An injected status: answered without processing and without counting against the rate limit. */
  #sendStatusFault(res: ServerResponse, fault: Extract<Fault, { kind: "status" }>, requestId: string): void {
    const { limiter, token, clock } = this.#options;
    const rateHeaders = limiter.peek(token, clock.now());
    const answer: Answer =
      fault.body === undefined
        ? errorAnswer(fault.status, `injected fault: HTTP ${fault.status}`, requestId, rateHeaders)
        : { status: fault.status, body: fault.body, headers: rateHeaders };
    // A string body goes out verbatim, e.g. to imitate a proxy's HTML error page.
    const text = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
    const headers = { ...answer.headers };
    if (typeof answer.body === "string") headers["content-type"] = "text/plain";
    send(res, answer.status, text, { ...headers, ...fault.headers }, requestId);
  }

  #delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pendingDelays.delete(timer);
        resolve();
      }, ms);
      this.#pendingDelays.add(timer);
    });
  }
}

function send(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string>,
  requestId: string,
): void {
  if (res.destroyed) return;
  res.writeHead(status, {
    "content-type": "application/json",
    "x-request-id": requestId,
    ...headers,
    "content-length": String(Buffer.byteLength(text)),
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

type ParsedBody = { ok: true; value: unknown } | { ok: false };

function parseJson(text: string): ParsedBody {
  if (text.trim() === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}
