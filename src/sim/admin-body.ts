// Admin API bodies checked against the same TypeBox schemas as the topology, so that a bad
// body gets a 400 naming the field and the fix, worded as a bad topology file would be.
import type { Static, TSchema } from "@sinclair/typebox";
import { badRequest, jsonBody, type SimRequest } from "./http.ts";
import { schemaProblems } from "./topology.ts";

export function checkedBody<S extends TSchema>(req: SimRequest, schema: S): Static<S> {
  const body = jsonBody(req);
  const problems = [...schemaProblems(schema, body)];
  if (problems.length > 0) throw badRequest(`The request body is invalid: ${problems.join("; ")}`);
  return body as Static<S>;
}
