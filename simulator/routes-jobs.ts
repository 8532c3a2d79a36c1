/** Indexing job endpoints. */
import type { Backend, Schemas } from "./backend";
import { badRequest, notFound } from "./errors";
import { hasReport } from "./job-timeline";
import { renderDataSourceJob, renderJob } from "./job-view";
import { paginate } from "./pagination";
import type { Route } from "./router";
import { isUuid } from "./answer";
import { bodyObject, optionalString, optionalStringArray, requiredString } from "./validate";

/** The API lists only the latest jobs of a knowledge base. */
export const KNOWLEDGE_BASE_JOBS_SHOWN = 15;

export function jobRoutes({ catalog, jobs, reads, view, knowledgeBaseJobsShown, jobList }: Backend): Route[] {
  return [
    {
      method: "GET",
      path: "/v2/gen-ai/indexing_jobs",
      handler: ({ query, pageUrl, now }) => {
        const all = reads.all(now);
        if (jobList.order === "oldest-first") all.reverse();
        const page = paginate(all, query, pageUrl, jobList.maxPerPage);
        const render = (job: (typeof all)[number]) => {
          const { data_source_jobs, ...rest } = renderJob(job, now, view);
          return jobList.omitsSourceJobs ? rest : { ...rest, data_source_jobs };
        };
        return {
          jobs: page.items.map(render),
          links: page.links,
          meta: page.meta,
        } satisfies Schemas["apiListKnowledgeBaseIndexingJobsOutput"];
      },
    },
    {
      method: "POST",
      path: "/v2/gen-ai/indexing_jobs",
      handler: ({ body, now }) => {
        const input = bodyObject(body);
        const kbUuid = requiredString(input, "knowledge_base_uuid");
        const dataSources = optionalStringArray(input, "data_source_uuids") ?? [];
        for (const uuid of [kbUuid, ...dataSources]) {
          if (!isUuid(uuid)) throw badRequest(`${JSON.stringify(uuid)} is not a UUID`);
        }
        const job = jobs.start(kbUuid, dataSources, now);
        return { job: renderJob(job, now, view) } satisfies Schemas["apiStartKnowledgeBaseIndexingJobOutput"];
      },
    },
    {
      method: "GET",
      path: "/v2/gen-ai/indexing_jobs/{uuid}",
      handler: ({ params, now }) =>
        ({
          job: renderJob(reads.get(params.uuid ?? "", now), now, view),
        }) satisfies Schemas["apiGetKnowledgeBaseIndexingJobOutput"],
    },
    {
      method: "PUT",
      path: "/v2/gen-ai/indexing_jobs/{uuid}/cancel",
      handler: ({ params, body, now }) => {
        const uuid = params.uuid ?? "";
        const bodyUuid = optionalString(bodyObject(body), "uuid");
        if (bodyUuid !== undefined && bodyUuid !== uuid) {
          throw badRequest(`uuid in the body (${bodyUuid}) does not match the path (${uuid})`);
        }
        // Cancelling is a write: it reaches a job reads do not see yet.
        const job = jobs.cancel(uuid, now);
        return {
          job: renderJob(job, now, view),
        } satisfies Schemas["apiCancelKnowledgeBaseIndexingJobOutput"];
      },
    },
    {
      method: "GET",
      path: "/v2/gen-ai/indexing_jobs/{indexing_job_uuid}/data_sources",
      handler: ({ params, now }) => {
        const job = reads.get(params.indexing_job_uuid ?? "", now);
        return {
          indexed_data_sources: job.dataSources.map((run) => renderDataSourceJob(job, run, now, view)),
        } satisfies Schemas["apiListIndexingJobDataSourcesOutput"];
      },
    },
    {
      method: "GET",
      path: "/v2/gen-ai/indexing_jobs/{indexing_job_uuid}/details_signed_url",
      handler: ({ params, now }) => {
        const job = reads.get(params.indexing_job_uuid ?? "", now);
        if (!hasReport(job, now))
          throw notFound(`indexing job ${job.uuid} has no report (not finished, or cancelled before it ran)`);
        const expires = Math.floor(now / 1000) + 3600;
        return {
          signed_url: `https://gradient-sim-reports.example.com/indexing-jobs/${job.uuid}/details.csv?Expires=${expires}&Signature=sim`,
        } satisfies Schemas["apiGetIndexingJobDetailsSignedURLOutput"];
      },
    },
    {
      method: "GET",
      path: "/v2/gen-ai/knowledge_bases/{knowledge_base_uuid}/indexing_jobs",
      // `page` and `per_page` are ignored: always the latest jobs, as one page.
      handler: ({ params, now }) => {
        const kb = catalog.knowledgeBase(params.knowledge_base_uuid ?? "");
        const latest = reads.jobsOf(kb.uuid, now).slice(0, knowledgeBaseJobsShown);
        return {
          jobs: latest.map((job) => renderJob(job, now, view)),
          links: { pages: {} },
          meta: { page: 1, pages: 1, total: latest.length },
        } satisfies Schemas["apiListKnowledgeBaseIndexingJobsOutput"];
      },
    },
  ];
}
