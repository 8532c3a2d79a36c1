/**
 * `npm run test:compat` (called by .ci/run): the packed package's host-level test on the Pulumi versions users
 * run: the oldest @pulumi/pulumi of the peer range on this Node, and the newest release on Node 22 (which it
 * requires). Projects and Node binaries: test/compat/projects.ts.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { packRepository, userProject, type Target } from "./projects";

const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
const CHECK = path.join(__dirname, "packed-host.check.js");
const MOCHA = path.join(REPO_ROOT, "node_modules", "mocha", "bin", "mocha.js");

const TARGETS: Target[] = [{ pulumi: "3.139.0" }, { pulumi: "latest", node: 22 }];

function main(): void {
  const tarball = packRepository();
  const results: string[] = [];
  let failed = false;
  for (const target of TARGETS) {
    const project = userProject(target, tarball);
    console.log(`\n${project.label}`);
    const result = spawnSync(project.node, [MOCHA, "--no-config", CHECK], {
      cwd: REPO_ROOT,
      stdio: "inherit",
      env: { ...process.env, COMPAT_PROJECT: project.dir },
    });
    failed ||= result.status !== 0;
    results.push(`${result.status === 0 ? "PASS" : "FAIL"}  ${project.label}`);
  }
  console.log(`\n${results.join("\n")}`);
  process.exitCode = failed ? 1 : 0;
}

main();
