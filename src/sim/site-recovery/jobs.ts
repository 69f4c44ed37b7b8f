// Site Recovery jobs: a sequence of tasks that run on the simulated timeline. Each task may
// act when it starts and when it ends; an action that returns an error fails the task and
// the job there, and the tasks after it never start. A task that does not apply (the source
// VM's shutdown in an unplanned failover) succeeds at once as "Skipped", which the service
// gives as a description, not a state. The job doubles as the ARM long-running operation of
// the call that started it (same name).
import type { Timeline } from "../clock.ts";
import type { OperationEngine, OperationError } from "../operations.ts";

/** The states of jobs and of their tasks (the SDK's documented values). */
export type JobState =
  | "NotStarted"
  | "InProgress"
  | "Succeeded"
  | "Failed"
  | "Cancelled"
  | "Suspended"
  | "Other";

export interface JobError {
  code: string;
  message: string;
  possibleCauses?: string;
  recommendedAction?: string;
}

/** What a task is about: a VM's step, or a recovery plan's boot group. */
export type TaskType = "VirtualMachineTaskDetails" | "RecoveryPlanGroupTaskDetails";

export interface TaskPlan {
  name: string;
  friendlyName: string;
  type: TaskType;
  seconds: number;
  /** Why the task does not apply; it then succeeds at once, described as Skipped. */
  skippedReason?: string;
  /** Runs when the task starts; an error fails it at once. */
  begin?: () => JobError | undefined;
  /** Runs when the task's time is up; an error fails it. */
  end?: () => JobError | undefined;
}

export interface JobTask {
  readonly taskId: string;
  readonly name: string;
  readonly friendlyName: string;
  readonly type: TaskType;
  readonly skippedReason?: string;
  state: JobState;
  startTime?: number;
  endTime?: number;
}

export interface Job {
  /** Set once the job's operation exists: the two share the name. */
  name: string;
  id: string;
  readonly scenarioName: string;
  readonly friendlyName: string;
  readonly targetObjectId: string;
  readonly targetObjectName: string;
  readonly targetInstanceType: "ProtectionEntity" | "RecoveryPlan";
  state: JobState;
  readonly startTime: number;
  endTime?: number;
  readonly tasks: JobTask[];
  errors: { error: JobError; taskId: string; time: number }[];
  /** The job's customDetails (AsrJobDetails unless the scenario has its own). */
  details: { instanceType: string } & Record<string, unknown>;
}

export interface StartJob {
  vaultId: string;
  location: string;
  scenarioName: string;
  friendlyName: string;
  target: { id: string; name: string; instanceType: Job["targetInstanceType"] };
  tasks: TaskPlan[];
  /** The fault "job fails midway": the task at this index fails. */
  failAtTask?: { index: number; error: JobError };
  /** After the last task, or on failure; what Location answers with on success. */
  finish: (succeeded: boolean) => void;
  result: () => unknown;
}

/** The wording the service gives a job's or a task's state ("Completed" for Succeeded). */
export function stateDescription(state: JobState, skipped = false): string {
  if (state !== "Succeeded") return state;
  return skipped ? "Skipped" : "Completed";
}

export function startJob(timeline: Timeline, operations: OperationEngine, spec: StartJob): Job {
  const start = timeline.now();
  const job: Job = {
    name: "",
    id: "",
    scenarioName: spec.scenarioName,
    friendlyName: spec.friendlyName,
    targetObjectId: spec.target.id,
    targetObjectName: spec.target.name,
    targetInstanceType: spec.target.instanceType,
    state: "InProgress",
    startTime: start,
    tasks: spec.tasks.map((t, i) => ({
      taskId: `${t.name}-${i}`,
      name: t.name,
      friendlyName: t.friendlyName,
      type: t.type,
      ...(t.skippedReason ? { skippedReason: t.skippedReason } : {}),
      state: "NotStarted",
    })),
    errors: [],
    details: { instanceType: "AsrJobDetails", affectedObjectDetails: {} },
  };
  const fail = (task: JobTask, error: JobError) => {
    const now = timeline.now();
    task.state = "Failed";
    task.endTime = now;
    job.errors.push({ error, taskId: task.taskId, time: now });
    job.state = "Failed";
    job.endTime = now;
    const op = operations.get(job.name);
    if (op) operations.fail(op, { code: error.code, message: error.message } satisfies OperationError);
    spec.finish(false);
  };

  // Every task event is scheduled before the operation's own completion event, so that at
  // the final instant the job's effects are in place before the operation reports success.
  let at = start;
  spec.tasks.forEach((plan, i) => {
    const task = job.tasks[i]!;
    timeline.at(at, () => {
      if (job.state !== "InProgress") return;
      task.state = "InProgress";
      task.startTime = timeline.now();
      const error = plan.begin?.();
      if (error) fail(task, error);
    });
    at += plan.seconds * 1000;
    timeline.at(at, () => {
      if (job.state !== "InProgress" || task.state !== "InProgress") return;
      const error = plan.end?.() ?? (spec.failAtTask?.index === i ? spec.failAtTask.error : undefined);
      if (error) return fail(task, error);
      task.state = "Succeeded";
      task.endTime = timeline.now();
      if (i === spec.tasks.length - 1) {
        job.state = "Succeeded";
        job.endTime = timeline.now();
        spec.finish(true);
      }
    });
  });
  const op = operations.begin({
    kind: `Microsoft.RecoveryServices/vaults/replicationJobs/${spec.scenarioName}`,
    target: spec.target.id,
    provider: "Microsoft.RecoveryServices",
    location: spec.location,
    completesAt: at,
    complete: () => (job.state === "Succeeded" ? { result: spec.result() } : undefined),
  });
  job.name = op.id;
  job.id = `${spec.vaultId}/replicationJobs/${op.id}`;
  return job;
}
