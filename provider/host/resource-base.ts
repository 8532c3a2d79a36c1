/**
 * What both resources have in common as Pulumi resources: a knowledge base, the arguments that reach
 * the API their own way, and how they are kept: a token given to a resource is a secret in the state,
 * input and output alike, whatever the program passed (a plain string included).
 */
import * as pulumi from "@pulumi/pulumi";

export interface ApiArgs {
  /**
   * A DigitalOcean API token for this resource only (a second account in the same stack), over the
   * stack's `digitalocean:token` and the environment. Stored in the state as a secret.
   */
  token?: pulumi.Input<string>;
  /** The API's URL for this resource, over `digitalocean:apiEndpoint` and the environment. */
  apiEndpoint?: pulumi.Input<string>;
  /**
   * Requests a minute this deployment may send with this resource's token (default 200; the API allows
   * 250): lower it when other stacks or tools share the token. Resources of one token share one budget,
   * at the lowest value any of them sets.
   */
  requestsPerMinute?: pulumi.Input<number>;
}

/** The args with the token as a secret, and options that keep the `token` output secret too. */
function withSecretToken<Args extends ApiArgs>(
  args: Args,
  opts: pulumi.CustomResourceOptions | undefined,
): [Args, pulumi.CustomResourceOptions] {
  if (args.token === undefined) return [args, opts ?? {}];
  const additionalSecretOutputs = [...(opts?.additionalSecretOutputs ?? []), "token"];
  return [
    { ...args, token: pulumi.secret(args.token) },
    { ...opts, additionalSecretOutputs },
  ];
}

/** A resource of a knowledge base, reached with the stack's token or its own. */
export abstract class KnowledgeBaseResource extends pulumi.dynamic.Resource {
  declare readonly knowledgeBaseUuid: pulumi.Output<string>;
  declare readonly token: pulumi.Output<string | undefined>;
  declare readonly apiEndpoint: pulumi.Output<string | undefined>;
  declare readonly requestsPerMinute: pulumi.Output<number | undefined>;

  /** `outputs`: every output beyond the inputs, registered for Pulumi to expose it. */
  protected constructor(
    provider: pulumi.dynamic.ResourceProvider,
    type: string,
    name: string,
    args: ApiArgs,
    outputs: Record<string, undefined>,
    opts: pulumi.CustomResourceOptions | undefined,
  ) {
    const [secretArgs, options] = withSecretToken(args, opts);
    super(provider, name, { ...outputs, ...secretArgs }, options, "gradient", type);
  }
}
