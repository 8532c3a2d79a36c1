/** DigitalOcean-style pagination: `page`/`per_page` in, `links.pages` (absolute URLs) and `meta` out. */
import type { WireLinks, WireMeta } from "../provider/api/types";
import { badRequest } from "./errors";

export const DEFAULT_PER_PAGE = 20;
export const MAX_PER_PAGE = 200;

export interface PageOf<T> {
  items: T[];
  links: WireLinks;
  meta: WireMeta;
}

/**
 * Cuts one page out of `items`. Like DO, `first`/`previous` appear only after the first page and
 * `next`/`last` only before the last one; `per_page` above the maximum is capped.
 */
export function paginate<T>(
  items: T[],
  query: URLSearchParams,
  pageUrl: string,
  maxPerPage = MAX_PER_PAGE,
): PageOf<T> {
  const page = positiveInteger(query, "page") ?? 1;
  const perPage = Math.min(positiveInteger(query, "per_page") ?? DEFAULT_PER_PAGE, maxPerPage);
  const pages = Math.max(1, Math.ceil(items.length / perPage));
  const link = (target: number) => {
    const url = new URL(pageUrl);
    url.searchParams.set("page", String(target));
    url.searchParams.set("per_page", String(perPage));
    return url.toString();
  };

  const links: WireLinks = { pages: {} };
  if (page > 1) links.pages = { first: link(1), previous: link(Math.min(page - 1, pages)) };
  if (page < pages) links.pages = { ...links.pages, next: link(page + 1), last: link(pages) };
  return {
    items: items.slice((page - 1) * perPage, page * perPage),
    links,
    meta: { page, pages, total: items.length },
  };
}

function positiveInteger(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw badRequest(`${name} must be a positive integer`);
  return value;
}
