// The one list/paging helper: Ping++ list envelopes in cursor and page styles, newest first.
import type { ListEnvelope } from "./types";
import { badRequest, createdFilter, qInt, qString, type Query } from "./util";

interface Listable {
  id: string;
  created: number;
}

export type ListStyle = "cursor" | "page";

export interface ListOptions<T> {
  url: string;
  style: ListStyle;
  query: Query;
  /** max per_page for page style (orders 20, settlements 100) */
  maxPerPage?: number;
  filter?: (item: T) => boolean;
  render: (item: T) => unknown;
}

/**
 * `items` in insertion order (oldest first); the answer is newest first.
 * Cursor: `limit` 1–100 (default 10), `starting_after`, `ending_before`, `created[…]`.
 * Page: `page` ≥1, `per_page` 1–maxPerPage (default 10), `created[…]`.
 */
export function listEnvelope<T extends Listable>(items: Iterable<T>, opts: ListOptions<T>): ListEnvelope<unknown> {
  const created = createdFilter(opts.query);
  const all = [...items].filter((x) => created(x.created) && (opts.filter ? opts.filter(x) : true)).reverse();
  let slice: T[];
  let hasMore: boolean;
  if (opts.style === "cursor") {
    const limit = qInt(opts.query, "limit", 10, 1, 100);
    const after = qString(opts.query, "starting_after");
    const before = qString(opts.query, "ending_before");
    if (after) {
      const i = all.findIndex((x) => x.id === after);
      if (i < 0) throw badRequest(`starting_after 对象不存在: ${after} (No such object)`, "starting_after");
      const rest = all.slice(i + 1);
      slice = rest.slice(0, limit);
      hasMore = rest.length > limit;
    } else if (before) {
      const i = all.findIndex((x) => x.id === before);
      if (i < 0) throw badRequest(`ending_before 对象不存在: ${before} (No such object)`, "ending_before");
      const newer = all.slice(0, i);
      slice = newer.slice(Math.max(0, newer.length - limit));
      hasMore = newer.length > limit;
    } else {
      slice = all.slice(0, limit);
      hasMore = all.length > limit;
    }
  } else {
    const page = qInt(opts.query, "page", 1, 1, 100_000_000);
    const perPage = qInt(opts.query, "per_page", 10, 1, opts.maxPerPage ?? 100);
    slice = all.slice((page - 1) * perPage, page * perPage);
    hasMore = all.length > page * perPage;
  }
  return { object: "list", url: opts.url, has_more: hasMore, data: slice.map(opts.render) };
}

/** An embedded list (e.g. `charge.refunds`): everything, newest first. */
export function embeddedList<T>(url: string, items: T[], render: (x: T) => unknown): ListEnvelope<unknown> {
  return { object: "list", url, has_more: false, data: [...items].reverse().map(render) };
}
