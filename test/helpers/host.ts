/**
 * Drives a dynamic provider exactly as `pulumi up` does, without the Pulumi CLI: the provider is serialized with
 * Pulumi's closure serializer (as `pulumi.dynamic.Resource` does), and every call goes over gRPC to the real
 * dynamic-provider host shipped in `@pulumi/pulumi` (`cmd/dynamic-provider`), running as a child process.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Struct, type JavaScriptValue } from "google-protobuf/google/protobuf/struct_pb";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as proto from "@pulumi/pulumi/proto/provider_pb";
import { Status } from "@pulumi/pulumi/proto/status_pb";
import { serializeFunction } from "@pulumi/pulumi/runtime/closure/serializeClosure";
import { specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";

/*
 * Known limit of this harness: grpc-js (our client here) never completes a call whose error metadata
 * exceeds about 64 KiB, which a failed create of a provider serialized by value (~70 KiB `__provider`
 * in its partial state) does. The engine's Go client has no such limit. Tests therefore serialize the
 * provider as installed from npm (see installed.ts), where it is a few kilobytes.
 */

/** The value the engine sends for not-yet-known inputs during a preview. */
export const UNKNOWN: string = unknownValue;

const HOST_SCRIPT = require.resolve("@pulumi/pulumi/cmd/dynamic-provider/index.js");
// dist/test/helpers -> repo root. The host resolves `require()` in serialized code from its cwd's node_modules.
const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
const CALL_TIMEOUT_MS = 120_000;
const LONG_CALL_TIMEOUT_MS = 60 * 60_000;
const START_TIMEOUT_MS = 30_000;
const OUTPUT_TIMEOUT_MS = 5_000;
const OUTPUT_POLL_MS = 10;

/** The `__provider` text, produced exactly as `pulumi.dynamic.Resource` produces it. */
export async function serializeProvider(provider: object): Promise<string> {
  return (await serializeFunction(() => provider, { allowSecrets: true })).text;
}

/** Wraps a value as a Pulumi secret, the way the engine sends secret config. */
export function secret(value: unknown): unknown {
  return { [specialSigKey]: specialSecretSig, value };
}

function isSecret(value: unknown): value is { value: unknown } {
  return isObject(value) && value[specialSigKey] === specialSecretSig;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Converts a JS value to what the engine would put on the wire: undefined keys are dropped (the SDK never sends
 * them, and Struct.fromJavaScript throws on them), and secrets are unwrapped unless the receiver accepts secrets.
 */
function toWire(value: unknown, keepSecrets: boolean): JavaScriptValue {
  if (isSecret(value) && !keepSecrets) return toWire(value.value, keepSecrets);
  if (value === null || value === undefined) return null;
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  if (Array.isArray(value)) return value.map((v) => toWire(v, keepSecrets));
  if (isObject(value)) {
    const out: Record<string, JavaScriptValue> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toWire(v, keepSecrets);
    return out;
  }
  throw new TypeError(`cannot send a ${typeof value} to the provider host`);
}

function toStruct(obj: Record<string, unknown>, keepSecrets: boolean): Struct {
  return Struct.fromJavaScript(toWire(obj, keepSecrets) as Record<string, JavaScriptValue>);
}

function fromStruct(struct: Struct | undefined): Record<string, unknown> {
  return struct ? struct.toJavaScript() : {};
}

export interface HostOptions {
  /** Working directory of the host; `require()` in serialized code resolves from here. Defaults to the repo root. */
  cwd?: string;
  /** Environment of the host. Defaults to process.env minus DIGITALOCEAN_* variables. */
  env?: NodeJS.ProcessEnv;
  /** The host program. Defaults to this repository's `@pulumi/pulumi/cmd/dynamic-provider/index.js`. */
  hostScript?: string;
  /** The Node binary that runs it. Defaults to the one running this process. */
  node?: string;
}

/** A failed gRPC call to the host. */
export class HostError extends Error {
  readonly code: number;
  readonly method: string;
  /** Create/Update errors carrying `id`/`properties`: the partial state Pulumi would record. */
  readonly initFailure?: { id: string; properties: Record<string, unknown>; reasons: string[] };

  constructor(method: string, err: grpc.ServiceError) {
    super(err.details || err.message);
    this.name = "HostError";
    this.method = method;
    this.code = err.code;
    this.initFailure = decodeInitFailure(err.metadata);
  }
}

function decodeInitFailure(metadata: grpc.Metadata | undefined): HostError["initFailure"] {
  const bin = metadata?.get("grpc-status-details-bin")[0];
  if (!(bin instanceof Buffer)) return undefined;
  for (const detail of Status.deserializeBinary(bin).getDetailsList()) {
    const failure = detail.unpack(
      proto.ErrorResourceInitFailed.deserializeBinary,
      "pulumirpc.ErrorResourceInitFailed",
    );
    if (failure) {
      return {
        id: failure.getId(),
        properties: fromStruct(failure.getProperties()),
        reasons: failure.getReasonsList(),
      };
    }
  }
  return undefined;
}

type Unary<Req, Res> = (
  req: Req,
  metadata: grpc.Metadata,
  options: Partial<grpc.CallOptions>,
  callback: (err: grpc.ServiceError | null, res: Res) => void,
) => grpc.ClientUnaryCall;

const DIFF_CHANGES = {
  [proto.DiffResponse.DiffChanges.DIFF_SOME]: "some",
  [proto.DiffResponse.DiffChanges.DIFF_NONE]: "none",
  [proto.DiffResponse.DiffChanges.DIFF_UNKNOWN]: "unknown",
} as const;

export class ProviderHost {
  private configured = false;
  // The host answers Configure with acceptSecrets=false, so the engine strips secrets from CRUD payloads.
  private acceptsSecrets = false;
  private stopping?: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly client: ResourceProviderClient,
    private readonly log: { text: string },
    readonly port: number,
  ) {}

  static async start(options: HostOptions = {}): Promise<ProviderHost> {
    const child = spawn(options.node ?? process.execPath, [options.hostScript ?? HOST_SCRIPT, "dummy"], {
      cwd: options.cwd ?? REPO_ROOT,
      env: options.env ?? withoutDigitalOceanVars(process.env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const log = { text: "" };
    // Never leave an orphaned host (its gRPC server keeps it alive) if the test process exits without stop().
    const killChild = () => child.kill("SIGKILL");
    process.once("exit", killChild);
    child.once("exit", () => process.off("exit", killChild));
    try {
      const port = await collectOutput(child, log);
      const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
      return new ProviderHost(child, client, log, port);
    } catch (err) {
      child.kill("SIGKILL");
      throw err;
    }
  }

  /** Config keys are namespaced (`digitalocean:token`); wrap secret values with `secret()`. */
  async configure(config: Record<string, unknown>): Promise<void> {
    const req = new proto.ConfigureRequest()
      .setArgs(toStruct(config, true))
      .setAcceptsecrets(true)
      .setAcceptresources(true);
    const res = await this.call("configure", this.client.configure, req);
    this.acceptsSecrets = res.getAcceptsecrets();
    this.configured = true;
  }

  async check(
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<{ inputs: Record<string, unknown>; failures: { property: string; reason: string }[] }> {
    await this.ensureConfigured();
    const req = new proto.CheckRequest().setOlds(this.struct(olds)).setNews(this.struct(news));
    const res = await this.call("check", this.client.check, req);
    return {
      inputs: fromStruct(res.getInputs()),
      failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  async diff(
    id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<{ changes: "some" | "none" | "unknown"; replaces: string[]; deleteBeforeReplace: boolean }> {
    await this.ensureConfigured();
    const req = new proto.DiffRequest().setId(id).setOlds(this.struct(olds)).setNews(this.struct(news));
    const res = await this.call("diff", this.client.diff, req);
    return {
      changes: DIFF_CHANGES[res.getChanges()],
      replaces: res.getReplacesList(),
      deleteBeforeReplace: res.getDeletebeforereplace(),
    };
  }

  async create(props: Record<string, unknown>): Promise<{ id: string; outs: Record<string, unknown> }> {
    await this.ensureConfigured();
    const req = new proto.CreateRequest().setProperties(this.struct(props));
    const res = await this.call("create", this.client.create, req, LONG_CALL_TIMEOUT_MS);
    return { id: res.getId(), outs: fromStruct(res.getProperties()) };
  }

  /** `props` is the current state (outputs), as Pulumi passes it on refresh. */
  async read(
    id: string,
    props: Record<string, unknown>,
  ): Promise<{ id: string; props: Record<string, unknown>; inputs?: Record<string, unknown> }> {
    await this.ensureConfigured();
    const req = new proto.ReadRequest().setId(id).setProperties(this.struct(props));
    const res = await this.call("read", this.client.read, req);
    const inputs = res.getInputs();
    return {
      id: res.getId(),
      props: fromStruct(res.getProperties()),
      ...(inputs && { inputs: fromStruct(inputs) }),
    };
  }

  async update(
    id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<{ outs: Record<string, unknown> }> {
    await this.ensureConfigured();
    const req = new proto.UpdateRequest().setId(id).setOlds(this.struct(olds)).setNews(this.struct(news));
    const res = await this.call("update", this.client.update, req, LONG_CALL_TIMEOUT_MS);
    return { outs: fromStruct(res.getProperties()) };
  }

  async delete(id: string, props: Record<string, unknown>): Promise<void> {
    await this.ensureConfigured();
    const req = new proto.DeleteRequest().setId(id).setProperties(this.struct(props));
    await this.call("delete", this.client.delete, req, LONG_CALL_TIMEOUT_MS);
  }

  /** Sends `signal` to the host process (as the Pulumi engine does on a second Ctrl-C); resolves on its exit. */
  signal(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        resolve({ code: this.child.exitCode, signal: this.child.signalCode });
      } else this.child.once("exit", (code, sig) => resolve({ code, signal: sig }));
    });
    this.child.kill(signal);
    return exited;
  }

  /** Everything the host printed so far (stdout after the port line, and stderr). */
  output(): string {
    return this.log.text;
  }

  /**
   * Waits (at most `timeoutMs`) until the host's output matches `pattern`, then returns it. The host prints on
   * its stdout/stderr pipes, which travel apart from the gRPC answer: a line printed during a call can arrive
   * after the call returned.
   */
  async waitForOutput(pattern: RegExp, timeoutMs = OUTPUT_TIMEOUT_MS): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.log.text)) {
      if (Date.now() >= deadline) {
        throw new Error(`host output did not match ${pattern} within ${timeoutMs} ms:\n${this.log.text}`);
      }
      await new Promise((resolve) => setTimeout(resolve, OUTPUT_POLL_MS));
    }
    return this.log.text;
  }

  clearOutput(): void {
    this.log.text = "";
  }

  stop(): Promise<void> {
    this.stopping ??= new Promise<void>((resolve) => {
      this.client.close();
      if (this.child.exitCode !== null || this.child.signalCode !== null) return resolve();
      this.child.once("exit", () => resolve());
      this.child.kill("SIGTERM");
    });
    return this.stopping;
  }

  // The engine always configures a provider before its first CRUD call; the host crashes the call otherwise.
  private async ensureConfigured(): Promise<void> {
    if (!this.configured) await this.configure({});
  }

  private struct(obj: Record<string, unknown>): Struct {
    return toStruct(obj, this.acceptsSecrets);
  }

  private call<Req, Res>(
    method: string,
    fn: Unary<Req, Res>,
    req: Req,
    timeoutMs = CALL_TIMEOUT_MS,
  ): Promise<Res> {
    return new Promise((resolve, reject) => {
      fn.call(this.client, req, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (err, res) => {
        // A throw in here would leave the promise pending forever: reject with it instead.
        try {
          if (err) reject(new HostError(method, err));
          else resolve(res);
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
  }
}

function withoutDigitalOceanVars(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith("DIGITALOCEAN_")));
}

/**
 * Collects everything the host prints into `log`, except the first stdout line: the gRPC port, which the returned
 * promise resolves to. Listeners stay attached for the life of the process so no output is lost.
 */
function collectOutput(child: ChildProcess, log: { text: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    let firstLine: string | undefined = "";
    const fail = (why: string) =>
      reject(new Error(`dynamic provider host ${why}\n${firstLine ?? ""}${log.text}`));
    child.stdout?.on("data", (chunk: Buffer) => {
      if (firstLine === undefined) return void (log.text += chunk.toString());
      firstLine += chunk.toString();
      const newline = firstLine.indexOf("\n");
      if (newline < 0) return;
      const port = Number(firstLine.slice(0, newline).trim());
      log.text += firstLine.slice(newline + 1);
      firstLine = undefined;
      if (Number.isInteger(port) && port > 0) resolve(port);
      else fail("printed no port");
    });
    child.stderr?.on("data", (chunk: Buffer) => (log.text += chunk.toString()));
    // Once the port was read these are no-ops: a settled promise ignores later rejections.
    child.once("exit", (code) => fail(`exited (code ${code}) before printing its port`));
    child.once("error", (err) => fail(`failed to start: ${err.message}`));
    setTimeout(() => fail(`printed no port within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS).unref();
  });
}

/** Runs `fn` against a fresh host and always stops it afterwards. */
export async function withHost(
  fn: (host: ProviderHost) => Promise<void>,
  options?: HostOptions,
): Promise<void> {
  const host = await ProviderHost.start(options);
  try {
    await fn(host);
  } finally {
    await host.stop();
  }
}

/**
 * Mocha: starts one host for the enclosing `describe` (before) and stops it (after). Returns a getter, since the
 * host only exists once the hook ran. Note the host caches each deserialized provider per `__provider` text and
 * configures it only once, on first use: use a distinct provider instance (or host) per configuration.
 */
export function useHost(options?: HostOptions): () => ProviderHost {
  let host: ProviderHost | undefined;
  before(async () => {
    host = await ProviderHost.start(options);
  });
  after(async () => {
    await host?.stop();
  });
  return () => {
    if (!host) throw new Error("useHost(): the host is only available inside tests and hooks");
    return host;
  };
}
