// The throttling part of a topology (and the admin API's PUT /admin/throttling body); see throttling.ts.
import { type Static, Type } from "@sinclair/typebox";

const BucketSchema = Type.Object(
  {
    capacity: Type.Integer({ minimum: 1, description: "tokens a full bucket holds, e.g. 200" }),
    refillPerSecond: Type.Number({ minimum: 0, description: "tokens added per simulated second, e.g. 10" }),
  },
  { additionalProperties: false },
);

const Buckets = {
  reads: Type.Optional(BucketSchema),
  writes: Type.Optional(BucketSchema),
  deletes: Type.Optional(BucketSchema),
};

export const ThrottlingSchema = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean()),
    ...Buckets,
    /** The subscription's buckets shared by every principal; 15 times a principal's by default. */
    global: Type.Optional(Type.Object(Buckets, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

export type ThrottlingConfig = Static<typeof ThrottlingSchema>;
