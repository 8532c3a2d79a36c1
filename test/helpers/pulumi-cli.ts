/**
 * The real Pulumi CLI, as a user runs it, against the simulator: `pulumi preview`, `up`, `refresh`,
 * `destroy`, `stack export` and Ctrl-C, on a local backend, offline.
 *
 * The CLI is built from source by scripts/pulumi-cli.sh into a cache outside the repository. The Node
 * language host (`pulumi-language-nodejs`) is not served by the module proxy, so the CLI cannot start a
 * nodejs program by itself: programs run through the Automation API's inline programs, in this process,
 * while the CLI is the engine and starts the dynamic-provider plugin (`pulumi-resource-pulumi-nodejs`,
 * the script @pulumi/pulumi ships) as it does for `pulumi up` in a terminal.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  LocalWorkspace,
  PulumiCommand,
  type ConfigMap,
  type Deployment,
  type OutputMap,
  type PulumiFn,
  type Stack,
} from "@pulumi/pulumi/automation";

// dist/test/helpers -> repository root.
const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
const BUILD_SCRIPT = path.join(REPO_ROOT, "scripts", "pulumi-cli.sh");
/** The dynamic-provider plugin: a shell script in @pulumi/pulumi, run by the CLI for dynamic resources. */
const PLUGIN = "pulumi-resource-pulumi-nodejs";
const PLUGIN_DIR = path.dirname(require.resolve("@pulumi/pulumi/package.json"));

/** The pinned release, read from the build script so that there is one place to change it. */
export function pinnedCliVersion(): string {
  const match = /^VERSION="\$\{PULUMI_CLI_VERSION:-(v[0-9.]+)\}"/m.exec(
    fs.readFileSync(BUILD_SCRIPT, "utf8"),
  );
  if (!match?.[1]) throw new Error(`no pinned version in ${BUILD_SCRIPT}`);
  return match[1];
}

function cacheDir(): string {
  const root =
    process.env.PULUMI_CLI_CACHE ??
    path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "pulumi-gradient-indexing");
  return path.join(root, `pulumi-${process.env.PULUMI_CLI_VERSION ?? pinnedCliVersion()}`);
}

/** The cached CLI's folder (holding bin/pulumi), if it was built; no build. */
export function cachedCli(): string | undefined {
  const dir = cacheDir();
  return fs.existsSync(path.join(dir, "bin", "pulumi")) ? dir : undefined;
}

/** A CLI to use without building one: the folder holding bin/pulumi of PATH's `pulumi`, else of the cache. */
export function installedCli(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const found = dir && path.join(dir, "pulumi");
    if (found && fs.existsSync(found)) return path.dirname(path.dirname(fs.realpathSync(found)));
  }
  return cachedCli();
}

/** The CLI's folder, built first by scripts/pulumi-cli.sh when it is not cached (progress on stderr). */
export function ensureCli(): string {
  const result = spawnSync("bash", [BUILD_SCRIPT], {
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
  });
  const dir = result.stdout.trim().split("\n").pop();
  if (result.status !== 0 || !dir) throw new Error(`scripts/pulumi-cli.sh failed (exit ${result.status})`);
  placePlugin(dir);
  return dir;
}

/**
 * Puts @pulumi/pulumi's `pulumi-resource-pulumi-nodejs` script beside the CLI, where Pulumi's own
 * release archive has it: found on PATH instead, the CLI warns about it on every run. The script
 * resolves the dynamic-provider host from the project it runs in, so one copy serves every project.
 */
export function placePlugin(cliDir: string): void {
  const target = path.join(cliDir, "bin", PLUGIN);
  const source = fs.readFileSync(path.join(PLUGIN_DIR, PLUGIN));
  // A Pulumi install of its own (on PATH) ships its plugin: left as it is.
  if (
    fs.existsSync(target) &&
    (path.resolve(cliDir) !== cacheDir() || fs.readFileSync(target).equals(source))
  )
    return;
  fs.writeFileSync(`${target}.tmp`, source, { mode: 0o755 });
  fs.renameSync(`${target}.tmp`, target);
}

export type Command = "preview" | "up" | "refresh" | "destroy";

/** What one CLI command printed and how it ended. */
export interface CliRun {
  command: Command;
  /** 0 on success; the CLI's exit code otherwise (-2: killed, as the Automation API reports it). */
  exitCode: number;
  /** Everything the CLI printed, stdout then stderr, as a user would read it. */
  output: string;
  ms: number;
}

export interface CliStackOptions {
  /** The CLI's folder (bin/pulumi); default: the cache, built if missing. */
  cliDir?: string;
  projectName?: string;
  stackName?: string;
  program: PulumiFn;
  /** Stack config, set with `pulumi config set` (`secret: true` is `--secret`). */
  config?: ConfigMap;
  /** Environment of the CLI and so of its plugins, beside the offline settings. */
  env?: Record<string, string>;
}

/** Stack config pointing the provider at a simulator, its token set as `pulumi config set --secret` does. */
export function simulatorConfig(sim: { url: string; token: string }): ConfigMap {
  return {
    "digitalocean:apiEndpoint": { value: sim.url },
    "digitalocean:token": { value: sim.token, secret: true },
  };
}

/**
 * One project and stack on a local backend in a temporary folder. The project folder links this
 * repository's node_modules: the plugin runs there and loads @pulumi/pulumi's dynamic-provider host and
 * this package (the stored provider `require()`s it by name) from it, as in a user's project.
 */
export class CliStack {
  readonly passphrase = "e2e-passphrase";
  private constructor(
    readonly stack: Stack,
    readonly root: string,
    readonly workDir: string,
  ) {}

  static async create(options: CliStackOptions): Promise<CliStack> {
    const cliDir = options.cliDir ?? ensureCli();
    placePlugin(cliDir);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "gi-cli-"));
    const workDir = path.join(root, "project");
    for (const dir of ["backend", "home", "project"]) fs.mkdirSync(path.join(root, dir));
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(workDir, "node_modules"), "dir");
    const link = path.join(REPO_ROOT, "node_modules", "pulumi-gradient-indexing");
    if (!fs.existsSync(link)) fs.symlinkSync("..", link, "dir");

    const pulumiCommand = await PulumiCommand.get({ root: cliDir, skipVersionCheck: true });
    const projectName = options.projectName ?? "gradient-e2e";
    const stack = await LocalWorkspace.createOrSelectStack(
      { stackName: options.stackName ?? "dev", projectName, program: options.program },
      {
        workDir,
        pulumiCommand,
        pulumiHome: path.join(root, "home"),
        projectSettings: { name: projectName, runtime: "nodejs", backend: { url: `file://${root}/backend` } },
        envVars: {
          ...offlineEnv(root),
          PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
          PATH: `${path.join(cliDir, "bin")}:${process.env.PATH ?? ""}`,
          ...options.env,
        },
      },
    );
    if (options.config) await stack.setAllConfig(options.config);
    return new CliStack(stack, root, workDir);
  }

  /** Runs one command to its end; never throws for a failed command (the exit code says it). */
  async run(
    command: Command,
    extra: { program?: PulumiFn; signal?: AbortSignal; onOutput?: (text: string) => void } & Record<
      string,
      unknown
    > = {},
  ): Promise<CliRun> {
    let output = "";
    const collect = (text: string) => {
      output += text;
      extra.onOutput?.(text);
    };
    const started = Date.now();
    const options = { ...extra, color: "never" as const, onOutput: collect, onError: collect };
    try {
      if (command === "up") await this.stack.up(options);
      else if (command === "preview") await this.stack.preview(options);
      else if (command === "refresh") await this.stack.refresh(options);
      else await this.stack.destroy(options);
      return { command, exitCode: 0, output, ms: Date.now() - started };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // The Automation API reports every failure as code -2; execa's message holds the real one.
      const code = /exit code (\d+)/.exec(message)?.[1] ?? /code: (-?\d+)/.exec(message)?.[1];
      // The Automation API's error holds stdout and stderr too; keep what onOutput missed.
      if (!output.trim()) output = message;
      return { command, exitCode: code ? Number(code) : -1, output, ms: Date.now() - started };
    }
  }

  /**
   * `pulumi stack export`, as a user runs it: secrets stay encrypted. (The Automation API's
   * exportStack() adds `--show-secrets`.)
   */
  async export(): Promise<Deployment> {
    const result = await this.cli(["stack", "export"]);
    if (result.status !== 0) throw new Error(`pulumi stack export failed:\n${result.output}`);
    return JSON.parse(result.stdout) as Deployment;
  }

  async outputs(): Promise<OutputMap> {
    return this.stack.outputs();
  }

  /** Runs the CLI itself in the project, for commands and flags the Automation API changes or lacks. */
  cli(args: string[]): Promise<{ status: number | null; stdout: string; output: string }> {
    const ws = this.stack.workspace as LocalWorkspace;
    const child = spawn(
      ws.pulumiCommand.command,
      [...args, "--stack", this.stack.name, "--non-interactive"],
      {
        cwd: this.workDir,
        env: { ...process.env, ...ws.envVars },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve, reject) => {
      child.once("error", reject);
      child.once("close", (status) => resolve({ status, stdout, output: stdout + stderr }));
    });
  }

  /** The `pulumi` process this test process runs now (the Automation API's child), if any. */
  static runningCli(): number | undefined {
    return childProcesses(process.pid).find((p) => p.comm === "pulumi")?.pid;
  }

  dispose(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/** The CLI offline: no update check, no plugin download, nothing sent anywhere. */
function offlineEnv(root: string): Record<string, string> {
  return {
    PULUMI_BACKEND_URL: `file://${root}/backend`,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_SKIP_CONFIRMATIONS: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
  };
}

/** Direct children of `pid` (Linux: from /proc), with their command names. */
export function childProcesses(pid: number): { pid: number; comm: string }[] {
  const children: { pid: number; comm: string }[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid …: comm may hold spaces and parentheses, so split after the last ")".
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) children.push({ pid: Number(entry), comm });
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}

/**
 * Mocha: the CLI for the enclosing `describe`, built by scripts/pulumi-cli.sh if it is not cached (in
 * CI, .ci/run built it already). Never skips: an e2e test without a CLI fails.
 */
export function useCli(): () => string {
  let dir: string | undefined;
  before(function () {
    this.timeout(90 * 60_000);
    dir = ensureCli();
  });
  return () => {
    if (!dir) throw new Error("useCli(): the CLI is only available inside tests and hooks");
    return dir;
  };
}
