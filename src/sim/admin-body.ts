// Admin API bodies checked against the same TypeBox schemas as the topology, so that a bad
// body gets a 400 naming the field and the fix, worded as a bad topology file would be.
import type { Static, TSchema } from "@sinclair/typebox";
import { badRequest, jsonBody, type SimRequest } from "./http.ts";
import type { ProviderRoute } from "./provider.ts";
import { schemaProblems } from "./topology.ts";

export function checkedBody<S extends TSchema>(req: SimRequest, schema: S): Static<S> {
  const body = jsonBody(req);
  const problems = [...schemaProblems(schema, body)];
  if (problems.length > 0) throw badRequest(`The request body is invalid: ${problems.join("; ")}`);
  return body as Static<S>;
}

/** GET and PUT `/admin/{name}`: read what `target` is configured with, or replace it with a checked body. */
export function configAdminRoutes<S extends TSchema>(
  name: string,
  schema: S,
  target: { config(): unknown; configure(config: Static<S>): void },
): ProviderRoute[] {
  return [
    {
      method: "GET",
      path: `/admin/${name}`,
      operation: `admin/${name}`,
      handler: () => ({ status: 200, body: target.config() }),
    },
    {
      method: "PUT",
      path: `/admin/${name}`,
      operation: `admin/${name}/write`,
      handler: (req) => {
        target.configure(checkedBody(req, schema));
        return { status: 200, body: target.config() };
      },
    },
  ];
}
