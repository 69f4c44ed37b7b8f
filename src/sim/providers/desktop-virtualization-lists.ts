// The query options of Microsoft.DesktopVirtualization's lists (api-version 2024-04-03): `$filter`
// where the spec offers one (`<property> eq '<value>'` clauses joined by `and`, on the properties
// the spec names) and the paging options `isDescending`, `initialSkip` and `pageSize`.
import { badRequest, type SimRequest, type SimResponse } from "../http.ts";
import { page, type SimContext } from "../provider.ts";

/** The properties a list's `$filter` may name, each reading the compared value from an item. */
export type FilterProperties<T> = Record<string, (item: T) => string>;

export interface ListQuery<T> {
  /** The list's `$filter` properties; a list without them ignores `$filter`, as ARM ignores unknown parameters. */
  filter?: FilterProperties<T>;
  /** Whether the list takes `isDescending` and `initialSkip` (every list takes `pageSize`). */
  paging: boolean;
}

/** One page of a list after its `$filter`, order (`isDescending`) and `initialSkip`. */
export function listPage<T>(
  req: SimRequest,
  ctx: SimContext,
  items: readonly T[],
  render: (item: T) => unknown,
  query: ListQuery<T>,
): SimResponse {
  const params = req.url.searchParams;
  let selected = [...items];
  const filter = params.get("$filter");
  if (query.filter && filter !== null && filter.trim() !== "") {
    const matches = parseFilter(filter, query.filter);
    selected = selected.filter(matches);
  }
  wholeNumber(req, "pageSize", 1);
  if (query.paging) {
    if (descending(req)) selected.reverse();
    selected = selected.slice(wholeNumber(req, "initialSkip", 0) ?? 0);
  }
  return page(req, ctx, selected, render);
}

const clause = /\s*([A-Za-z]+)\s+eq\s+'((?:[^']|'')*)'\s*(?:(and)\s+|$)/iy;

/** `$filter` as a predicate; values compare case-insensitively, as the spec's own example writes 'active' for Active. */
function parseFilter<T>(text: string, properties: FilterProperties<T>): (item: T) => boolean {
  const tests: ((item: T) => boolean)[] = [];
  clause.lastIndex = 0;
  for (;;) {
    const at = clause.lastIndex;
    const match = clause.exec(text);
    if (!match) throw invalidFilter(text, properties, `cannot read it from '${text.slice(at)}'`);
    const [, name = "", quoted = "", and] = match;
    const property = Object.keys(properties).find((p) => p.toLowerCase() === name.toLowerCase());
    if (!property) throw invalidFilter(text, properties, `'${name}' cannot be filtered on`);
    const read = properties[property]!;
    const value = quoted.replaceAll("''", "'").toLowerCase();
    tests.push((item) => read(item).toLowerCase() === value);
    if (!and) return (item) => tests.every((test) => test(item));
  }
}

function invalidFilter<T>(text: string, properties: FilterProperties<T>, reason: string) {
  return badRequest(
    `The value '${text}' of parameter '$filter' is invalid: ${reason}. Use <property> eq '<value>' ` +
      `clauses joined by 'and', on ${Object.keys(properties).join(" or ")}.`,
    "InvalidParameter",
  );
}

function wholeNumber(req: SimRequest, name: string, min: number): number | undefined {
  const raw = req.url.searchParams.get(name);
  if (raw === null) return undefined;
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isInteger(value) || value < min) {
    throw badRequest(
      `The value '${raw}' of parameter '${name}' is invalid; use a whole number of at least ${min}.`,
      "InvalidParameter",
    );
  }
  return value;
}

function descending(req: SimRequest): boolean {
  const raw = req.url.searchParams.get("isDescending");
  if (raw === null) return false;
  const value = raw.toLowerCase();
  if (value !== "true" && value !== "false") {
    throw badRequest(
      `The value '${raw}' of parameter 'isDescending' is invalid; use true or false.`,
      "InvalidParameter",
    );
  }
  return value === "true";
}
