/**
 * IndexingSchedule: a knowledge base's scheduled indexing (DigitalOcean runs an indexing job of all
 * its data sources at the given time on the given days) as a Pulumi resource.
 */
import * as pulumi from "@pulumi/pulumi";
import { IndexingScheduleProvider } from "./provider";

export interface IndexingScheduleArgs {
  /** The knowledge base to index on schedule (it has one schedule at a time). */
  knowledgeBaseUuid: pulumi.Input<string>;
  /** Time of day, `"HH:MM"` in UTC. */
  time: pulumi.Input<string>;
  /** Days to run on, as in cron: 1 = Monday ... 7 = Sunday (0 is Sunday too). No repeats, not empty. */
  days: pulumi.Input<pulumi.Input<number>[]>;
}

/** Output names beyond the inputs; each must be registered for Pulumi to expose it. */
const OUTPUT_NAMES = ["uuid", "isActive", "lastRanAt", "nextRunAt", "createdAt", "updatedAt"] as const;

let sharedProvider: IndexingScheduleProvider | undefined;

export class IndexingSchedule extends pulumi.dynamic.Resource {
  declare readonly knowledgeBaseUuid: pulumi.Output<string>;
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
    const outputs = Object.fromEntries(OUTPUT_NAMES.map((key) => [key, undefined]));
    // One provider object for every IndexingSchedule: Pulumi serializes each provider object once.
    sharedProvider ??= new IndexingScheduleProvider();
    super(sharedProvider, name, { ...outputs, ...args }, opts, "gradient", "IndexingSchedule");
  }
}
