/** Matches a method and path against the spec's path templates (`/v2/gen-ai/indexing_jobs/{uuid}`). */

export interface RouteRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  /** The parsed JSON body; `undefined` when the request had none. */
  body: unknown;
  /** Clock time at which the request is processed. */
  now: number;
  /** Absolute URL of the requested path, without query: the base of pagination links. */
  pageUrl: string;
}

/** Returns the body of a 200 answer, or throws an `ApiError`. */
export type RouteHandler = (request: RouteRequest) => unknown;

export interface Route {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** A path template of the spec. */
  path: string;
  handler: RouteHandler;
}

interface CompiledRoute extends Route {
  pattern: RegExp;
  paramNames: string[];
}

export type RouteMatch =
  | { kind: "found"; handler: RouteHandler; params: Record<string, string> }
  | { kind: "wrong-method"; allowed: string[] }
  | { kind: "not-found" };

export class Router {
  readonly #routes: CompiledRoute[];

  constructor(routes: Route[]) {
    this.#routes = routes.map((route) => {
      const paramNames: string[] = [];
      const source = route.path
        .split("/")
        .map((segment) => {
          const param = /^\{(\w+)\}$/.exec(segment);
          if (!param?.[1]) return segment.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
          paramNames.push(param[1]);
          return "([^/]+)";
        })
        .join("/");
      return { ...route, pattern: new RegExp(`^${source}$`), paramNames };
    });
  }

  resolve(method: string, path: string): RouteMatch {
    const allowed: string[] = [];
    for (const route of this.#routes) {
      const found = route.pattern.exec(path);
      if (!found) continue;
      if (route.method !== method) {
        allowed.push(route.method);
        continue;
      }
      const params: Record<string, string> = {};
      for (const [index, name] of route.paramNames.entries()) {
        const value = safeDecode(found[index + 1] ?? "");
        if (value === undefined) return { kind: "not-found" };
        params[name] = value;
      }
      return { kind: "found", handler: route.handler, params };
    }
    return allowed.length > 0 ? { kind: "wrong-method", allowed } : { kind: "not-found" };
  }
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
