/**
 * IndexingSchedule: a knowledge base's scheduled indexing (DigitalOcean runs an indexing job of all
 * its data sources at the given time on the given days) as a Pulumi resource.
 */
import * as pulumi from "@pulumi/pulumi";
import { KnowledgeBaseResource, type ApiArgs } from "../host/resource-base";
import type { ScheduleOutputs } from "./outputs";
import { IndexingScheduleProvider } from "./provider";

export interface IndexingScheduleArgs extends ApiArgs {
  /** The knowledge base to index on schedule (it has one schedule at a time). */
  knowledgeBaseUuid: pulumi.Input<string>;
  /** Time of day, `"HH:MM"` in UTC. */
  time: pulumi.Input<string>;
  /** Days to run on, as in cron: 1 = Monday ... 7 = Sunday (0 is Sunday too). No repeats, not empty. */
  days: pulumi.Input<pulumi.Input<number>[]>;
}

/** Every output beyond the inputs, typed against the outputs so that the compiler says when they part. */
const OUTPUTS: { [K in keyof Required<ScheduleOutputs>]: undefined } = {
  uuid: undefined,
  isActive: undefined,
  lastRanAt: undefined,
  nextRunAt: undefined,
  createdAt: undefined,
  updatedAt: undefined,
};

let sharedProvider: IndexingScheduleProvider | undefined;

export class IndexingSchedule extends KnowledgeBaseResource {
  declare readonly time: pulumi.Output<string>;
  declare readonly days: pulumi.Output<number[]>;

  /** The schedule's UUID. */
  declare readonly uuid: pulumi.Output<string>;
  declare readonly isActive: pulumi.Output<boolean | undefined>;
  /** When the schedule last started an indexing job (as of the last create or refresh). */
  declare readonly lastRanAt: pulumi.Output<string | undefined>;
  declare readonly nextRunAt: pulumi.Output<string | undefined>;
  declare readonly createdAt: pulumi.Output<string | undefined>;
  declare readonly updatedAt: pulumi.Output<string | undefined>;

  constructor(name: string, args: IndexingScheduleArgs, opts?: pulumi.CustomResourceOptions) {
    // One provider object for every IndexingSchedule: Pulumi serializes each provider object once.
    sharedProvider ??= new IndexingScheduleProvider();
    super(sharedProvider, "IndexingSchedule", name, args, OUTPUTS, opts);
  }
}
