/** Knowledge bases and their data sources: what indexing jobs run over. */
import type { WireKnowledgeBaseDataSource } from "../provider/api/types";
import { notFound } from "./errors";
import { newUuid } from "./random";
import type { DataSourceSeed, KnowledgeBaseSeed, ProvisioningOutcome } from "./types";

export const DEFAULT_REGION = "tor1";
const DEFAULT_ITEMS = 10;

export interface KnowledgeBaseRecord {
  uuid: string;
  name: string;
  region: string;
  tags: string[];
  projectId: string;
  databaseId: string;
  embeddingModelUuid: string;
  createdAt: number;
  updatedAt: number;
  /** While provisioning: when the database is ready (`databaseOutcome`). */
  readyAt?: number;
  /** What the database provisions to; unset: ONLINE. */
  databaseOutcome?: ProvisioningOutcome;
  /** A new knowledge base that will start its own indexing job once ready. */
  indexOnReady?: boolean;
}

/** Where a data source reads from, as given at creation and shown back by the API. */
export type DataSourceOrigin = Pick<
  WireKnowledgeBaseDataSource,
  | "spaces_data_source"
  | "web_crawler_data_source"
  | "aws_data_source"
  | "chunking_algorithm"
  | "chunking_options"
>;

export interface DataSourceRecord {
  uuid: string;
  knowledgeBaseUuid: string;
  /** How many files an indexing job finds in it. */
  items: number;
  origin: DataSourceOrigin;
  createdAt: number;
  updatedAt: number;
}

export class Catalog {
  readonly #knowledgeBases = new Map<string, KnowledgeBaseRecord>();
  readonly #dataSources = new Map<string, DataSourceRecord>();

  addKnowledgeBase(
    seed: Omit<KnowledgeBaseSeed, "dataSources" | "provisioningMs" | "provisioningOutcome">,
    now: number,
  ): KnowledgeBaseRecord {
    const uuid = seed.uuid ?? newUuid();
    if (this.#knowledgeBases.has(uuid)) throw new Error(`knowledge base ${uuid} already exists`);
    const record: KnowledgeBaseRecord = {
      uuid,
      name: seed.name ?? `sim-kb-${uuid.slice(0, 8)}`,
      region: seed.region ?? DEFAULT_REGION,
      tags: [],
      projectId: newUuid(),
      databaseId: newUuid(),
      embeddingModelUuid: newUuid(),
      createdAt: now,
      updatedAt: now,
    };
    this.#knowledgeBases.set(uuid, record);
    return record;
  }

  /** Adds a data source; `origin` defaults to a Spaces bucket built from the seed. */
  addDataSource(
    kbUuid: string,
    seed: DataSourceSeed,
    now: number,
    origin?: DataSourceOrigin,
  ): DataSourceRecord {
    const kb = this.knowledgeBase(kbUuid);
    const uuid = seed.uuid ?? newUuid();
    if (this.#dataSources.has(uuid)) throw new Error(`data source ${uuid} already exists`);
    const items = seed.items ?? DEFAULT_ITEMS;
    if (!Number.isSafeInteger(items) || items < 0) throw new RangeError(`data source items must be >= 0`);
    const record: DataSourceRecord = {
      uuid,
      knowledgeBaseUuid: kb.uuid,
      items,
      origin: origin ?? {
        spaces_data_source: {
          bucket_name: seed.bucketName ?? "sim-bucket",
          item_path: seed.itemPath ?? "/",
          region: kb.region,
        },
        chunking_algorithm: "CHUNKING_ALGORITHM_SECTION_BASED",
      },
      createdAt: now,
      updatedAt: now,
    };
    this.#dataSources.set(uuid, record);
    return record;
  }

  /** The knowledge base, or a 404 API error. */
  knowledgeBase(uuid: string): KnowledgeBaseRecord {
    const kb = this.#knowledgeBases.get(uuid);
    if (!kb) throw notFound(`knowledge base ${uuid} not found`);
    return kb;
  }

  hasKnowledgeBase(uuid: string): boolean {
    return this.#knowledgeBases.has(uuid);
  }

  knowledgeBases(): KnowledgeBaseRecord[] {
    return [...this.#knowledgeBases.values()];
  }

  /** The data sources of a knowledge base, in creation order. */
  dataSourcesOf(kbUuid: string): DataSourceRecord[] {
    return [...this.#dataSources.values()].filter((ds) => ds.knowledgeBaseUuid === kbUuid);
  }

  /** The data source of that knowledge base, or a 404 API error. */
  dataSource(kbUuid: string, dsUuid: string): DataSourceRecord {
    const ds = this.#dataSources.get(dsUuid);
    if (!ds || ds.knowledgeBaseUuid !== kbUuid) {
      throw notFound(`data source ${dsUuid} not found in knowledge base ${kbUuid}`);
    }
    return ds;
  }

  deleteDataSource(kbUuid: string, dsUuid: string): void {
    this.#dataSources.delete(this.dataSource(kbUuid, dsUuid).uuid);
  }

  deleteKnowledgeBase(uuid: string): void {
    this.knowledgeBase(uuid);
    for (const ds of this.dataSourcesOf(uuid)) this.#dataSources.delete(ds.uuid);
    this.#knowledgeBases.delete(uuid);
  }
}
