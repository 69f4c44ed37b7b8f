// The throttling part of a topology (and the admin API's PUT /admin/throttling body); see throttling.ts.
import { type Static, Type } from "@sinclair/typebox";

const Bucket = Type.Object(
  {
    capacity: Type.Integer({ minimum: 1, description: "tokens a full bucket holds, e.g. 200" }),
    refillPerSecond: Type.Number({ minimum: 0, description: "tokens added per simulated second, e.g. 10" }),
  },
  { additionalProperties: false },
);

export const ThrottlingSchema = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean()),
    reads: Type.Optional(Bucket),
    writes: Type.Optional(Bucket),
    deletes: Type.Optional(Bucket),
  },
  { additionalProperties: false },
);

export type ThrottlingConfig = Static<typeof ThrottlingSchema>;
