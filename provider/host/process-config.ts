/**
 * Where a provider finds its API: a resource's own `token` and `apiEndpoint` inputs first, then the
 * stack's config (which reaches the provider only through `configure()`), then the environment. Kept
 * per provider object and per process, off the object itself: Pulumi writes the serialized object into
 * the state in plain text. On globalThis, so that every copy of the library in one process shares it.
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as ClientModule from "../client/client";
import type { GradientClient } from "../client/client";
import { PUBLIC_API_URL } from "../client/options";

/** A resource's own way to the API (its inputs), over the stack's and the environment's. */
export interface ApiOverrides {
  token?: string;
  apiEndpoint?: string;
  requestsPerMinute?: number;
}

interface ConfigSource {
  get(key: string): unknown;
}

const CONFIG_TOKEN = "digitalocean:token";
const CONFIG_ENDPOINT = "digitalocean:apiEndpoint";

export const MISSING_TOKEN_MESSAGE =
  "No DigitalOcean API token: set the resource's `token`, run `pulumi config set --secret " +
  "digitalocean:token <token>`, or set DIGITALOCEAN_TOKEN (or DIGITALOCEAN_ACCESS_TOKEN) in the environment";

interface ProcessConfig {
  config?: ConfigSource;
  clients: Map<string, GradientClient>;
}

function processConfigOf(provider: object): ProcessConfig {
  const key = Symbol.for("pulumi-gradient-indexing.provider-runtime");
  const scope = globalThis as { [key]?: WeakMap<object, ProcessConfig> };
  const registry = (scope[key] ??= new WeakMap<object, ProcessConfig>());
  let found = registry.get(provider);
  if (!found) registry.set(provider, (found = { clients: new Map() }));
  return found;
}

/** Remembers the stack's config, as the host hands it to `configure()`. */
export function configureProcess(provider: object, req: pulumi.dynamic.ConfigureRequest): void {
  processConfigOf(provider).config = req.config;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/** The token and endpoint in force: the resource's, else the stack's, else the environment's. */
export function resolveApiSettings(
  overrides: ApiOverrides,
  config: ConfigSource | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { token: string | undefined; baseUrl: string } {
  return {
    token:
      text(overrides.token) ??
      text(config?.get(CONFIG_TOKEN)) ??
      text(env.DIGITALOCEAN_TOKEN) ??
      text(env.DIGITALOCEAN_ACCESS_TOKEN),
    baseUrl:
      text(overrides.apiEndpoint) ??
      text(config?.get(CONFIG_ENDPOINT)) ??
      text(env.DIGITALOCEAN_API_URL) ??
      PUBLIC_API_URL,
  };
}

/**
 * An API client for these settings, made on first use: a call that needs no API (check, diff) never
 * asks for a token. Clients of one token share its rate limiter, at the lowest `requestsPerMinute` any
 * of them was made with (client/rate-limiter.ts).
 */
export function apiClient(provider: object, overrides: ApiOverrides): GradientClient {
  const state = processConfigOf(provider);
  const { token, baseUrl } = resolveApiSettings(overrides, state.config);
  if (!token) throw new Error(MISSING_TOKEN_MESSAGE);
  // The map lives in this process only; its keys never reach the state.
  const key = `${baseUrl}\n${token}\n${overrides.requestsPerMinute ?? ""}`;
  let client = state.clients.get(key);
  if (!client) {
    // Loaded on the first call that needs the API: check and diff, all that a preview or an up with
    // nothing to change runs, never load ky nor the fetch it brings (about 30 ms of a provider's start).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { GradientClient } = require("../client/client") as typeof ClientModule;
    client = new GradientClient({ token, baseUrl, requestsPerMinute: overrides.requestsPerMinute });
    state.clients.set(key, client);
  }
  return client;
}
