/** Scheduled indexing endpoints (the schedules start their jobs through Schedules.runDue). */
import type { Backend, Schemas } from "./backend";
import type { Route } from "./router";
import { bodyObject, optionalIntegerArray, requiredString } from "./validate";

export function scheduledIndexingRoutes({ catalog, schedules }: Backend): Route[] {
  return [
    {
      method: "POST",
      path: "/v2/gen-ai/scheduled-indexing",
      handler: ({ body, now }) => {
        const input = bodyObject(body);
        const kb = catalog.knowledgeBase(requiredString(input, "knowledge_base_uuid"));
        const days = optionalIntegerArray(input, "days") ?? [];
        return {
          indexing_info: schedules.create(kb.uuid, days, requiredString(input, "time"), now),
        } satisfies Schemas["apiCreateScheduledIndexingOutput"];
      },
    },
    {
      method: "GET",
      path: "/v2/gen-ai/scheduled-indexing/knowledge-base/{knowledge_base_uuid}",
      handler: ({ params, now }) => {
        const kb = catalog.knowledgeBase(params.knowledge_base_uuid ?? "");
        return {
          indexing_info: schedules.forKnowledgeBase(kb.uuid, now),
        } satisfies Schemas["apiGetScheduledIndexingOutput"];
      },
    },
    {
      method: "DELETE",
      path: "/v2/gen-ai/scheduled-indexing/{uuid}",
      handler: ({ params, now }) =>
        ({
          indexing_info: schedules.delete(params.uuid ?? "", now),
        }) satisfies Schemas["apiDeleteScheduledIndexingOutput"],
    },
  ];
}
