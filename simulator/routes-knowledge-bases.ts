/** Knowledge base and data source endpoints, kept minimal: enough to create, list and show them. */
import type { Backend, Schemas } from "./backend";
import { originFromBody, renderDataSource, renderKnowledgeBase } from "./catalog-view";
import { badRequest } from "./errors";
import { paginate } from "./pagination";
import type { Route } from "./router";
import { bodyObject, isJsonObject, optionalString, optionalStringArray, requiredString } from "./validate";

export function knowledgeBaseRoutes(backend: Backend): Route[] {
  const { catalog, jobs } = backend;
  return [
    {
      method: "GET",
      path: "/v2/gen-ai/knowledge_bases",
      handler: ({ query, pageUrl, now }) => {
        const page = paginate(catalog.knowledgeBases(), query, pageUrl);
        return {
          knowledge_bases: page.items.map((kb) => renderKnowledgeBase(kb, backend, now)),
          links: page.links,
          meta: page.meta,
        } satisfies Schemas["apiListKnowledgeBasesOutput"];
      },
    },
    {
      method: "POST",
      path: "/v2/gen-ai/knowledge_bases",
      handler: ({ body, now }) => {
        const input = bodyObject(body);
        const dataSources = input.datasources ?? [];
        if (!Array.isArray(dataSources) || !dataSources.every(isJsonObject)) {
          throw badRequest("datasources must be an array of objects");
        }
        const kb = catalog.addKnowledgeBase(
          { name: requiredString(input, "name"), region: optionalString(input, "region") },
          now,
        );
        kb.tags = optionalStringArray(input, "tags") ?? [];
        for (const source of dataSources)
          catalog.addDataSource(kb.uuid, {}, now, originFromBody(source, kb.region));
        provisionCreated(backend, kb.uuid, now);
        return {
          knowledge_base: renderKnowledgeBase(kb, backend, now),
        } satisfies Schemas["apiCreateKnowledgeBaseOutput"];
      },
    },
    {
      method: "GET",
      path: "/v2/gen-ai/knowledge_bases/{uuid}",
      handler: ({ params, now }) =>
        ({
          knowledge_base: renderKnowledgeBase(catalog.knowledgeBase(params.uuid ?? ""), backend, now),
          database_status: jobs.databaseStatus(params.uuid ?? "", now),
        }) satisfies Schemas["apiGetKnowledgeBaseOutput"],
    },
    {
      method: "PUT",
      path: "/v2/gen-ai/knowledge_bases/{uuid}",
      handler: ({ params, body, now }) => {
        const kb = catalog.knowledgeBase(params.uuid ?? "");
        const input = bodyObject(body);
        kb.name = optionalString(input, "name") ?? kb.name;
        kb.tags = optionalStringArray(input, "tags") ?? kb.tags;
        kb.updatedAt = now;
        return {
          knowledge_base: renderKnowledgeBase(kb, backend, now),
        } satisfies Schemas["apiUpdateKnowledgeBaseOutput"];
      },
    },
    {
      method: "DELETE",
      path: "/v2/gen-ai/knowledge_bases/{uuid}",
      handler: ({ params }) => {
        const uuid = params.uuid ?? "";
        catalog.deleteKnowledgeBase(uuid);
        return { uuid } satisfies Schemas["apiDeleteKnowledgeBaseOutput"];
      },
    },
    {
      method: "GET",
      path: "/v2/gen-ai/knowledge_bases/{knowledge_base_uuid}/data_sources",
      handler: ({ params, query, pageUrl, now }) => {
        const kb = catalog.knowledgeBase(params.knowledge_base_uuid ?? "");
        const page = paginate(catalog.dataSourcesOf(kb.uuid), query, pageUrl);
        return {
          knowledge_base_data_sources: page.items.map((ds) => renderDataSource(ds, backend, now)),
          links: page.links,
          meta: page.meta,
        } satisfies Schemas["apiListKnowledgeBaseDataSourcesOutput"];
      },
    },
    {
      method: "POST",
      path: "/v2/gen-ai/knowledge_bases/{knowledge_base_uuid}/data_sources",
      handler: ({ params, body, now }) => {
        const kb = catalog.knowledgeBase(params.knowledge_base_uuid ?? "");
        const ds = catalog.addDataSource(kb.uuid, {}, now, originFromBody(bodyObject(body), kb.region));
        return {
          knowledge_base_data_source: renderDataSource(ds, backend, now),
        } satisfies Schemas["apiCreateKnowledgeBaseDataSourceOutput"];
      },
    },
    {
      method: "PUT",
      path: "/v2/gen-ai/knowledge_bases/{knowledge_base_uuid}/data_sources/{data_source_uuid}",
      handler: ({ params, now }) => {
        // Chunking options do not change how the simulator indexes: only the timestamp moves.
        const ds = catalog.dataSource(params.knowledge_base_uuid ?? "", params.data_source_uuid ?? "");
        ds.updatedAt = now;
        return {
          knowledge_base_data_source: renderDataSource(ds, backend, now),
        } satisfies Schemas["apiUpdateKnowledgeBaseDataSourceOutput"];
      },
    },
    {
      method: "DELETE",
      path: "/v2/gen-ai/knowledge_bases/{knowledge_base_uuid}/data_sources/{data_source_uuid}",
      handler: ({ params, now }) => {
        const kbUuid = params.knowledge_base_uuid ?? "";
        const dsUuid = params.data_source_uuid ?? "";
        jobs.deleteDataSource(kbUuid, dsUuid, now);
        return {
          knowledge_base_uuid: kbUuid,
          data_source_uuid: dsUuid,
        } satisfies Schemas["apiDeleteKnowledgeBaseDataSourceOutput"];
      },
    },
  ];
}

/**
 * A knowledge base created through the API provisions for `provisioningMs`; one whose database is to
 * end other than ONLINE provisions even without it, or it would never show that end.
 */
function provisionCreated(
  { jobs, provisioningMs, provisioningOutcome }: Backend,
  kbUuid: string,
  now: number,
) {
  if (provisioningMs === undefined && (provisioningOutcome ?? "ONLINE") === "ONLINE") return;
  jobs.provision(kbUuid, now, provisioningMs ?? 0, provisioningOutcome);
}
