/** Processes the benchmark looks at: the provider host's pid and memory, and child commands it runs. */
import { spawn } from "node:child_process";
import * as fs from "node:fs";

/** The pids of this process's children (Linux: /proc/<pid>/task/<tid>/children). */
function childPids(): number[] {
  const tasks = `/proc/${process.pid}/task`;
  return fs
    .readdirSync(tasks)
    .flatMap((tid) => fs.readFileSync(`${tasks}/${tid}/children`, "utf8").trim().split(/\s+/))
    .filter(Boolean)
    .map(Number);
}

/**
 * Starts a process with `start` and returns what it resolves to, with the pid of the one child it
 * added. ProviderHost keeps its child to itself, so the pid is found as `ps` would find it.
 */
export async function withChildPid<T>(start: () => Promise<T>): Promise<{ value: T; pid: number }> {
  const before = new Set(childPids());
  const value = await start();
  const pid = childPids().find((candidate) => !before.has(candidate));
  if (pid === undefined) throw new Error("the started process is not among this process's children");
  return { value, pid };
}

/** Resident memory of a process, in bytes (VmRSS), or undefined once it has exited. */
export function residentBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Samples a process's resident memory every `everyMs` until stopped; reports the peak. */
export function sampleMemory(pid: number, everyMs = 200): { peak: () => number; stop: () => number } {
  let peak = residentBytes(pid) ?? 0;
  const timer = setInterval(() => (peak = Math.max(peak, residentBytes(pid) ?? 0)), everyMs);
  return {
    peak: () => peak,
    stop: () => {
      clearInterval(timer);
      return (peak = Math.max(peak, residentBytes(pid) ?? 0));
    },
  };
}

/** Runs a command; resolves with its stdout, rejects with its stderr when it fails. */
export function run(command: string, args: readonly string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0
        ? resolve(stdout)
        : reject(new Error(`${command} ${args.join(" ")} failed (${code}):\n${stderr}`)),
    );
  });
}

export const MB = 1024 * 1024;
