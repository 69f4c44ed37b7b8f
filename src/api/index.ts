// The API in one import: `import { … } from "../api/index.ts"`.
export * from "./conditions.ts";
export * from "./drain-record.ts";
export * from "./duration.ts";
export * from "./enums.ts";
export * from "./failover-request.ts";
export * from "./group.ts";
export * from "./plan.ts";
