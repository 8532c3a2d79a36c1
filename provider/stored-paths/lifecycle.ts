/**
 * A path stored providers require: `dist/provider/lifecycle.js`, by 0.1.0's provider, which calls each with its own
 * context (`{ poll, api }`). Mapped from its old place by package.json's
 * `exports`; see ./README.md.
 */
export { createJob, updateJob, readJob, deleteJob } from "../indexing-job/lifecycle";
