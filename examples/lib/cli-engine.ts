/**
 * The demo's steps through the real Pulumi CLI: each `up` runs the IndexingJob of examples/basic as an
 * Automation API inline program (the CLI has no Node language host here: docs/pulumi-cli.md) on a local
 * backend, and each step's operation, diff and error are read from the CLI's own engine events. The
 * state shown is `pulumi stack export`'s.
 */
import type { EngineEvent, OpType } from "@pulumi/pulumi/automation";
import { installedPackage } from "../../test/helpers/installed";
import { CliStack } from "../../test/helpers/pulumi-cli";
import type { Operation, ResourceState, StepResult } from "./engine";

type Props = Record<string, unknown>;

const JOB_TYPE = "pulumi-nodejs:dynamic/gradient:IndexingJob";
/** The quickest polling the `poll` input allows: the simulated jobs last seconds. */
const POLL = { firstDelayMs: 1_000, maxDelayMs: 1_000 };

const OPERATIONS: Partial<Record<OpType, Operation>> = {
  create: "create",
  update: "update",
  replace: "replace",
  "create-replacement": "replace",
  same: "same",
  delete: "delete",
};

export class CliEngine {
  private current?: ResourceState;
  private args: Props = {};
  /** What the CLI printed in the last step, as a user sees it in a terminal that is not interactive. */
  output = "";

  private constructor(private readonly stack: CliStack) {}

  static async start(cliDir: string, api: { url: string; token: string }): Promise<CliEngine> {
    const { IndexingJob } = installedPackage();
    let engine: CliEngine | undefined = undefined;
    const stack = await CliStack.create({
      cliDir,
      projectName: "gradient-indexing-basic",
      program: async () => {
        // The CLI serializes the resource's own provider: the replay's serialized one is not an input here.
        const args = { ...engine?.args };
        delete args.__provider;
        const job = new IndexingJob("docs-indexing", {
          ...(args as unknown as ConstructorParameters<typeof IndexingJob>[1]),
          poll: POLL,
        });
        return { status: job.status };
      },
      config: {
        "digitalocean:apiEndpoint": { value: api.url },
        "digitalocean:token": { value: api.token, secret: true },
      },
    });
    engine = new CliEngine(stack);
    return engine;
  }

  get state(): ResourceState | undefined {
    return this.current;
  }

  /** `pulumi up` of the program with these IndexingJob inputs. */
  async up(news: Props): Promise<StepResult> {
    this.args = news;
    return this.run("up");
  }

  async destroy(): Promise<StepResult> {
    return this.run("destroy");
  }

  dispose(): void {
    this.stack.dispose();
  }

  private async run(command: "up" | "destroy"): Promise<StepResult> {
    const before = this.current;
    const steps: { op: Operation; diffs: string[] }[] = [];
    const errors: string[] = [];
    const onEvent = (event: EngineEvent) => {
      const meta = event.resourcePreEvent?.metadata;
      const op = meta && OPERATIONS[meta.op];
      if (meta?.type === JOB_TYPE && op) steps.push({ op, diffs: meta.diffs ?? [] });
      const diag = event.diagnosticEvent;
      if (diag?.severity === "error" && diag.urn?.includes(JOB_TYPE)) errors.push(diag.message.trim());
    };
    const run = await this.stack.run(command, { onEvent });
    this.output = run.output;
    await this.readState();
    // A replace shows as create-replacement, then (once it succeeded) delete-replaced: the first counts.
    const step = steps[0] ?? { op: command === "destroy" ? "delete" : "same", diffs: [] };
    const error = run.exitCode === 0 ? undefined : errors.join("\n") || "the CLI failed (see its output)";
    return {
      operation: step.op,
      ...(step.diffs.length > 0 && { because: step.diffs }),
      ...(step.op === "update" && before?.initErrors && { retry: true }),
      ...(error && { error }),
    };
  }

  private async readState(): Promise<void> {
    const exported = await this.stack.export();
    const resources = (exported.deployment as { resources?: Record<string, unknown>[] }).resources ?? [];
    // The last one is the live resource: a replaced one that was not deleted yet comes before it.
    const live = resources.filter((r) => r.type === JOB_TYPE && r.delete !== true).pop();
    if (!live) {
      this.current = undefined;
      return;
    }
    const initErrors = live.initErrors as string[] | undefined;
    this.current = {
      id: String(live.id),
      inputs: (live.inputs ?? {}) as Props,
      outputs: (live.outputs ?? {}) as Props,
      ...(initErrors?.length && { initErrors }),
    };
  }
}
