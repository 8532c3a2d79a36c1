/**
 * Per-process state of a provider object: the config `configure()` received and the API client made
 * from it. Kept off the object, since Pulumi writes the serialized object into the state, and on
 * globalThis, so that every copy of the library loaded in one process shares it.
 */
import type * as pulumi from "@pulumi/pulumi";
import { GradientClient } from "../client";
import { MISSING_TOKEN_MESSAGE, resolveApiSettings, type ConfigSource } from "./config-source";

interface ProviderRuntime {
  config?: ConfigSource;
  client?: GradientClient;
}

function runtimeOf(provider: object): ProviderRuntime {
  const key = Symbol.for("pulumi-gradient-indexing.provider-runtime");
  const scope = globalThis as { [key]?: WeakMap<object, ProviderRuntime> };
  const registry = (scope[key] ??= new WeakMap<object, ProviderRuntime>());
  let runtime = registry.get(provider);
  if (!runtime) registry.set(provider, (runtime = {}));
  return runtime;
}

/** Remembers the provider's config (from the stack, through the host). */
export function configureRuntime(provider: object, req: pulumi.dynamic.ConfigureRequest): void {
  runtimeOf(provider).config = req.config;
}

/**
 * The provider's API client, made on first use from its config or the environment: a call that needs
 * no API (check, diff) never asks for a token.
 */
export function apiOf(provider: object, requestsPerMinute?: number): GradientClient {
  const runtime = runtimeOf(provider);
  if (runtime.client) return runtime.client;
  const { token, baseUrl } = resolveApiSettings(runtime.config);
  if (!token) throw new Error(MISSING_TOKEN_MESSAGE);
  return (runtime.client = new GradientClient({ token, baseUrl, requestsPerMinute }));
}
