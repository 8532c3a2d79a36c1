/**
 * Credentials and endpoint, resolved at run time: from the stack's config (which reaches the provider
 * only through `configure()`), else from the environment. Never read at construction: whatever the
 * provider object holds when Pulumi serializes it is written into the state in plain text.
 */
import { PUBLIC_API_URL } from "../client";

export interface ConfigSource {
  get(key: string): unknown;
}

export interface ApiSettings {
  token: string | undefined;
  baseUrl: string;
}

export const CONFIG_TOKEN = "digitalocean:token";
export const CONFIG_ENDPOINT = "digitalocean:apiEndpoint";

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

export function resolveApiSettings(
  config: ConfigSource | undefined,
  env: NodeJS.ProcessEnv = process.env,
): ApiSettings {
  return {
    token:
      text(config?.get(CONFIG_TOKEN)) ?? text(env.DIGITALOCEAN_TOKEN) ?? text(env.DIGITALOCEAN_ACCESS_TOKEN),
    baseUrl: text(config?.get(CONFIG_ENDPOINT)) ?? text(env.DIGITALOCEAN_API_URL) ?? PUBLIC_API_URL,
  };
}

export const MISSING_TOKEN_MESSAGE =
  "No DigitalOcean API token: run `pulumi config set --secret digitalocean:token <token>`, " +
  "or set DIGITALOCEAN_TOKEN (or DIGITALOCEAN_ACCESS_TOKEN) in the environment";
