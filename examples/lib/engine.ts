/**
 * The part of Pulumi's engine the demo needs, for one dynamic resource: what `pulumi up` and
 * `pulumi destroy` ask the provider, in the engine's order, and what they keep in the stack's state.
 * Every call goes through the real dynamic-provider host (ProviderHost).
 *
 *   up:      Check -> (no state yet) Create
 *                  -> Diff -> a replace: Create the new one, then Delete the old one (Delete first
 *                             when Diff asks for deleteBeforeReplace)
 *                          -> an in-place change, or the last deploy left an error: Update
 *                          -> nothing: same, no further call
 *   destroy: Delete
 *
 * As in Pulumi, a Create or Update that fails after the job started still records the resource, with its
 * error (`initErrors`); the next `up` then Updates it. A replaced resource is deleted only once its
 * replacement was created without error.
 */
import { HostError, type ProviderHost } from "../../test/helpers/host";

type Props = Record<string, unknown>;

export type Operation = "create" | "update" | "replace" | "same" | "delete";

export interface ResourceState {
  id: string;
  inputs: Props;
  outputs: Props;
  /** The error of the Create/Update that left this state, if it failed. */
  initErrors?: string[];
}

export interface StepResult {
  operation: Operation;
  /** For a replace or an update: the inputs that caused it. */
  because?: string[];
  /** An update because the last deployment left the resource with an error. */
  retry?: boolean;
  /** The error `pulumi up` would end with. */
  error?: string;
}

export class MiniEngine {
  private current?: ResourceState;
  private replaced: ResourceState[] = [];

  constructor(private readonly host: ProviderHost) {}

  get state(): ResourceState | undefined {
    return this.current;
  }

  async up(news: Props): Promise<StepResult> {
    const { inputs, failures } = await this.host.check(this.current?.inputs ?? {}, news);
    if (failures.length > 0) {
      return { operation: "same", error: failures.map((f) => `${f.property} ${f.reason}`).join("; ") };
    }
    const old = this.current;
    if (!old) return { operation: "create", error: await this.apply(inputs, () => this.host.create(inputs)) };

    const diff = await this.host.diff(old.id, old.outputs, inputs);
    let result: StepResult;
    if (diff.replaces.length > 0) {
      // deleteBeforeReplace: the old resource goes first (its job, still running, is cancelled).
      if (diff.deleteBeforeReplace) {
        await this.host.delete(old.id, old.outputs);
        this.current = undefined;
      }
      const error = await this.apply(inputs, () => this.host.create(inputs));
      if (this.current !== old && !diff.deleteBeforeReplace) this.replaced.push(old);
      const because = [...new Set([...diff.replaces, ...changedInputs(old.inputs, inputs)])];
      result = { operation: "replace", because, error };
    } else if (diff.changes === "some" || old.initErrors) {
      const because = changedInputs(old.inputs, inputs);
      const error = await this.apply(inputs, async () => ({
        id: old.id,
        outs: (await this.host.update(old.id, old.outputs, inputs)).outs,
      }));
      result = { operation: "update", because, retry: old.initErrors !== undefined, error };
    } else {
      result = { operation: "same" };
    }
    if (!result.error) await this.deleteReplaced();
    return result;
  }

  async destroy(): Promise<StepResult> {
    await this.deleteReplaced();
    if (this.current) await this.host.delete(this.current.id, this.current.outputs);
    this.current = undefined;
    return { operation: "delete" };
  }

  /** Runs a Create or Update and records its outcome; returns its error message, if it failed. */
  private async apply(
    inputs: Props,
    call: () => Promise<{ id: string; outs: Props }>,
  ): Promise<string | undefined> {
    try {
      const { id, outs } = await call();
      this.current = { id, inputs, outputs: outs };
      return undefined;
    } catch (error) {
      if (!(error instanceof HostError)) throw error;
      const failure = error.initFailure;
      if (failure?.id) {
        this.current = { id: failure.id, inputs, outputs: failure.properties, initErrors: failure.reasons };
      }
      return error.message;
    }
  }

  private async deleteReplaced(): Promise<void> {
    for (const old of this.replaced.splice(0)) await this.host.delete(old.id, old.outputs);
  }
}

function changedInputs(olds: Props, news: Props): string[] {
  const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
  return [...keys].filter((k) => k !== "__provider" && JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
}
