// Every ARM request the emulator routes, with its operation kind and path: the counters say how
// many calls of each kind, but one kind can span paths that Azure authorizes differently.
import type { RunningSim } from "../../src/sim/server.ts";

export interface ArmCall {
  kind: string;
  method: string;
  path: string;
}

/** Starts recording; the stage runs first, so refused calls are seen too. */
export function recordArmCalls(sim: RunningSim): ArmCall[] {
  const calls: ArmCall[] = [];
  sim.pipeline.use(
    {
      name: "test-record-calls",
      handle: (req, next) => {
        calls.push({ kind: req.route?.operation ?? "unknown", method: req.method, path: req.url.pathname });
        return next();
      },
    },
    { before: sim.pipeline.names[0]! },
  );
  return calls;
}
