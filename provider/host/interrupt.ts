/**
 * Ctrl-C during `pulumi up`. The first Ctrl-C only makes the engine stop starting new work (the Node
 * host ignores its Cancel call); the second, or the engine shutting plugins down, sends SIGINT to this
 * process and SIGKILL 5 s later. Node's default would exit at once and leave the jobs being waited for
 * running at DigitalOcean, unrecorded. Instead, this process cancels the jobs it still waits for, says
 * so, and exits. Jobs not waited for (`waitForCompletion: false`, a wait that ended, or
 * `cancelOnInterrupt: false`) were never registered here and keep running.
 */
import { consolePrint, type Print } from "./console";

/** A job being waited for, and how to cancel it. */
export interface WaitedJob {
  uuid: string;
  knowledgeBaseUuid?: string;
  cancel(): Promise<unknown>;
}

/** Cancels must be answered within this, to print and exit before the SIGKILL 5 s after SIGINT. */
const CANCEL_GRACE_MS = 3_500;

const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
type HandledSignal = keyof typeof EXIT_CODES;

interface InterruptState {
  /** Jobs being waited for right now. */
  waiting: WaitedJob[];
  handlerInstalled: boolean;
  interrupted: boolean;
}

/** One registry and one handler per process, even if two copies of this module were loaded. */
function processState(): InterruptState {
  const key = Symbol.for("pulumi-gradient-indexing.interrupt");
  const scope = globalThis as { [key]?: InterruptState };
  let state = scope[key];
  if (!state) scope[key] = state = { waiting: [], handlerInstalled: false, interrupted: false };
  return state;
}

/**
 * Registers a job while it is waited for: on SIGINT or SIGTERM it is cancelled. Call the returned
 * function when the wait ends.
 */
export function cancelOnInterrupt(job: WaitedJob): () => void {
  const state = processState();
  state.waiting.push(job);
  installHandler(state);
  return () => {
    const index = state.waiting.indexOf(job);
    if (index >= 0) state.waiting.splice(index, 1);
  };
}

function installHandler(state: InterruptState): void {
  if (state.handlerInstalled) return;
  state.handlerInstalled = true;
  // Installed once and kept: with a handler, Node no longer exits by itself, so it always exits.
  for (const signal of Object.keys(EXIT_CODES) as HandledSignal[]) {
    process.on(signal, () => void onSignal(state, signal));
  }
}

async function onSignal(state: InterruptState, signal: HandledSignal): Promise<void> {
  // A second signal while cancelling changes nothing: the SIGKILL decides.
  if (state.interrupted) return;
  state.interrupted = true;
  await cancelJobs(state.waiting.splice(0), consolePrint, CANCEL_GRACE_MS);
  process.exit(EXIT_CODES[signal]);
}

/** Cancels every job at once, printing one line per job, within `graceMs` in all. */
async function cancelJobs(jobs: readonly WaitedJob[], print: Print, graceMs: number): Promise<void> {
  if (jobs.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => (timer = setTimeout(resolve, graceMs, "late")));
  await Promise.all(
    jobs.map(async (job) => {
      const outcome = await Promise.race([
        job.cancel().then(
          () => "cancelled" as const,
          (error: unknown) => (error instanceof Error ? error.message : String(error)),
        ),
        late,
      ]);
      const which =
        `indexing job ${job.uuid}` +
        (job.knowledgeBaseUuid ? ` of knowledge base ${job.knowledgeBaseUuid}` : "");
      if (outcome === "cancelled") print(`interrupted: cancelled ${which}`);
      else {
        const why = outcome === "late" ? `no answer within ${graceMs / 1000} s` : outcome;
        print(`interrupted: could not cancel ${which} (${why}); it may still run`);
      }
    }),
  );
  clearTimeout(timer);
}
