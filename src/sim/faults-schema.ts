// The faults part of a topology (and the admin API's PUT /admin/faults body); see faults.ts.
import { type Static, Type } from "@sinclair/typebox";

const OperationRule = Type.Object(
  {
    operation: Type.String({
      minLength: 1,
      description:
        "an ARM operation kind, e.g. Microsoft.Compute/virtualMachines/start/action; a trailing * matches a prefix",
    }),
    errorRate: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: "a fraction from 0 to 1" })),
    status: Type.Optional(Type.Integer({ minimum: 400, maximum: 599, description: "an HTTP error status" })),
    code: Type.Optional(Type.String({ minLength: 1 })),
    latencySeconds: Type.Optional(Type.Number({ minimum: 0, description: "simulated seconds added" })),
  },
  { additionalProperties: false },
);

const Outage = Type.Object(
  {
    region: Type.String({ pattern: "^[a-z0-9]+$", description: "an Azure region name, e.g. westeurope" }),
    mode: Type.Optional(
      Type.Union([Type.Literal("fail"), Type.Literal("hang")], { description: "fail (503) or hang" }),
    ),
  },
  { additionalProperties: false },
);

const JobFailure = Type.Object(
  {
    scenario: Type.String({
      minLength: 1,
      description:
        "a job scenario (an item's or a recovery plan's), e.g. UnplannedFailover or CommitFailover, or *",
    }),
    afterTasks: Type.Optional(
      Type.Integer({ minimum: 0, description: "tasks that succeed before one fails" }),
    ),
    code: Type.Optional(Type.String({ minLength: 1 })),
    message: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);

export const FaultsSchema = Type.Object(
  {
    operations: Type.Optional(Type.Array(OperationRule)),
    regionOutages: Type.Optional(Type.Array(Outage)),
    failoverFailures: Type.Optional(
      Type.Array(Type.String({ minLength: 1, description: "a VM as resourceGroup/vmName" })),
    ),
    jobFailures: Type.Optional(Type.Array(JobFailure)),
  },
  { additionalProperties: false },
);

export type FaultsConfig = Static<typeof FaultsSchema>;
