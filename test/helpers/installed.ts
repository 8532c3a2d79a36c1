/**
 * The package as a Pulumi program that installed it from npm sees it: loaded from
 * `node_modules/pulumi-gradient-indexing`. Pulumi's closure serializer then emits `require()` of the
 * package's modules instead of copying their code, as it does for users (a few kilobytes, not seventy).
 *
 * The link points at this repository, and mocha runs with `--preserve-symlinks` (see .mocharc.json) so
 * that Node keeps the node_modules path the serializer looks for.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type * as Package from "../../provider";

const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
const LINK = path.join(REPO_ROOT, "node_modules", "pulumi-gradient-indexing");

export function installedPackage(): typeof Package {
  if (!process.execArgv.includes("--preserve-symlinks")) {
    throw new Error("installedPackage() needs node --preserve-symlinks (mocha's node-option)");
  }
  if (!fs.existsSync(LINK)) fs.symlinkSync("..", LINK, "dir");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(LINK, "dist", "provider")) as typeof Package;
}
