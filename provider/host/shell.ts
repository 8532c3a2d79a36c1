/**
 * The dynamic provider Pulumi serializes into the state (`__provider`), for both resources. Its
 * methods reach nothing but the handlers, loaded by the package's one stable entry when the host calls
 * them (loadFromPackage, below), so the stored text is a few kilobytes in every install mode and holds no library
 * code, no token and no client: only the resource kind and plain tuning options.
 */
import type * as pulumi from "@pulumi/pulumi";

/** The provider object as handlers see it: its tuning, and an identity to keep its process config under. */
export interface ProviderObject<Options extends object = object> {
  readonly options: Options;
}

/** What the handlers of one resource kind do for each call of the host. */
export interface Handlers<Inputs, State, Options extends object = object> {
  configure(provider: ProviderObject<Options>, req: pulumi.dynamic.ConfigureRequest): Promise<void>;
  check(olds: Inputs, news: Inputs): Promise<pulumi.dynamic.CheckResult<Inputs>>;
  diff(id: string, olds: State, news: Inputs): Promise<pulumi.dynamic.DiffResult>;
  create(provider: ProviderObject<Options>, inputs: Inputs): Promise<pulumi.dynamic.CreateResult<State>>;
  update(
    provider: ProviderObject<Options>,
    id: string,
    olds: State,
    news: Inputs,
  ): Promise<pulumi.dynamic.UpdateResult<State>>;
  read(
    provider: ProviderObject<Options>,
    id: string,
    props?: State,
  ): Promise<pulumi.dynamic.ReadResult<State>>;
  delete(provider: ProviderObject<Options>, id: string, props: State): Promise<void>;
}

/** The keys of the stable entry (../entry.ts). */
export type ResourceKind = "indexingJob" | "indexingSchedule";

/** A read's answer: an empty id tells the engine the resource is gone. */
export function readResult<State>(id: string, state: State | undefined): pulumi.dynamic.ReadResult<State> {
  return state ? { id, props: state } : { id: "" };
}

/**
 * Loads a module of the installed package by its full name, or says clearly that the package is not
 * installed. The host runs in the Pulumi project and resolves the name from the project's node_modules,
 * however the package was installed. Defined here, beside its caller, so that the serializer copies it
 * into the stored text rather than requiring this module by a path of `dist/`. The name arrives as an
 * argument so that bundlers leave the require to run time.
 */
export function loadFromPackage<T>(name: string): T {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(name) as T;
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    throw new Error(
      `The pulumi-gradient-indexing provider could not load ${name} from ${process.cwd()}: is ` +
        `pulumi-gradient-indexing installed in this Pulumi project? ${text}`,
    );
  }
}

/** The package's handlers of one kind, as installed where the provider runs. */
function handlersOf<Inputs, State>(kind: ResourceKind): Handlers<Inputs, State> {
  // The stable entry of package.json's `exports`: stored providers rely on this name.
  const entry = loadFromPackage<Record<ResourceKind, unknown>>("pulumi-gradient-indexing/handlers");
  return entry[kind] as Handlers<Inputs, State>;
}

export class ProviderShell<Inputs, State, Options extends object> implements pulumi.dynamic.ResourceProvider<
  Inputs,
  State
> {
  constructor(
    readonly kind: ResourceKind,
    /** Tuning only; plain data, since it is serialized with the provider. */
    readonly options: Options,
  ) {}

  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    return handlersOf<Inputs, State>(this.kind).configure(this, req);
  }

  async check(olds: Inputs, news: Inputs): Promise<pulumi.dynamic.CheckResult<Inputs>> {
    return handlersOf<Inputs, State>(this.kind).check(olds, news);
  }

  async diff(id: string, olds: State, news: Inputs): Promise<pulumi.dynamic.DiffResult> {
    return handlersOf<Inputs, State>(this.kind).diff(id, olds, news);
  }

  async create(inputs: Inputs): Promise<pulumi.dynamic.CreateResult<State>> {
    return handlersOf<Inputs, State>(this.kind).create(this, inputs);
  }

  async update(id: string, olds: State, news: Inputs): Promise<pulumi.dynamic.UpdateResult<State>> {
    return handlersOf<Inputs, State>(this.kind).update(this, id, olds, news);
  }

  async read(id: string, props?: State): Promise<pulumi.dynamic.ReadResult<State>> {
    return handlersOf<Inputs, State>(this.kind).read(this, id, props);
  }

  async delete(id: string, props: State): Promise<void> {
    return handlersOf<Inputs, State>(this.kind).delete(this, id, props);
  }
}
