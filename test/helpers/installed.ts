/**
 * The package as a Pulumi program that installed it from this directory (`npm install <repo>`) sees
 * it: `node_modules/pulumi-gradient-indexing`, a link to this repository. The link also lets the
 * dynamic-provider host, run from the repository root, resolve the package by name, as the serialized
 * provider asks it to at run time.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type * as Package from "../../provider";

const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
const LINK = path.join(REPO_ROOT, "node_modules", "pulumi-gradient-indexing");

export function installedPackage(): typeof Package {
  // Test files run in parallel workers: another may make the link first.
  if (!fs.existsSync(LINK)) {
    try {
      fs.symlinkSync("..", LINK, "dir");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(LINK, "dist", "provider")) as typeof Package;
}
