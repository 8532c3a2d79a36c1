/**
 * The one stable entry stored providers load (`pulumi-gradient-indexing/handlers` in package.json's
 * `exports`): what each call of the host does, per resource kind. Renaming or moving a module behind
 * it is free; this name and these two keys are an API of every stack's state.
 */
export { handlers as indexingJob } from "./indexing-job/handlers";
export { handlers as indexingSchedule } from "./indexing-schedule/handlers";
