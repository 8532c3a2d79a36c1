/**
 * A path stored providers require: `dist/provider/config.js`, by 0.1.0's provider, which resolves the stack's
 * config and the environment itself. Mapped from its old place by package.json's
 * `exports`; see ./README.md.
 */
import { MISSING_TOKEN_MESSAGE, resolveApiSettings as resolve } from "../host/process-config";

export { MISSING_TOKEN_MESSAGE };

export const resolveApiSettings = (config: { get(key: string): unknown } | undefined, env = process.env) =>
  resolve({}, config, env);
