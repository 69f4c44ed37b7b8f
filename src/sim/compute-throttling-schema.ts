// The Compute throttling part of a topology (and the admin API's PUT /admin/compute-throttling
// body); see compute-throttling.ts. Sizes per minute, as Azure documents them.
import { type Static, Type } from "@sinclair/typebox";

const Bucket = Type.Object(
  {
    capacity: Type.Integer({ minimum: 1, description: "tokens a full bucket holds, e.g. 1500" }),
    refillPerMinute: Type.Number({ minimum: 0, description: "tokens added per simulated minute, e.g. 500" }),
  },
  { additionalProperties: false },
);

const PerVmPolicy = Type.Object(
  { subscription: Type.Optional(Bucket), resource: Type.Optional(Bucket) },
  { additionalProperties: false },
);

export const ComputeThrottlingSchema = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean()),
    UpdateVM: Type.Optional(PerVmPolicy),
    DeleteVM: Type.Optional(PerVmPolicy),
    LowCostGet: Type.Optional(PerVmPolicy),
    HighCostGet: Type.Optional(
      Type.Object({ subscription: Type.Optional(Bucket) }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);

export type ComputeThrottlingConfig = Static<typeof ComputeThrottlingSchema>;
export type PerMinuteBucket = Static<typeof Bucket>;
