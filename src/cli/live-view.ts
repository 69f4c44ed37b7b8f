// Following a FailoverRequest as it runs. On a terminal: a block redrawn in place (by log-update)
// with the phase, a progress bar per step, the elapsed time and the message. Anywhere else (CI, a
// pipe, a file): one timestamped line each time something changes, so a log reads as the story of
// the run. The request is polled (one GET per interval): light on the API server, and a restart of
// the API server only delays the next look.

import { setTimeout as sleep } from "node:timers/promises";
import { stripVTControlCharacters } from "node:util";
import { createLogUpdate } from "log-update";
import { type FailoverRequest, metav1Time } from "../api/index.ts";
import type { Clock } from "../reconcilers/clock.ts";
import { isTerminal } from "../reconcilers/failover/admission.ts";
import type { AvddrClient } from "./avddr-client.ts";
import { type OutStream, paint, RefusedError } from "./command-io.ts";
import { elapsed, type Meter, meters, outcome, route } from "./progress.ts";

export interface View {
  show(request: FailoverRequest): void;
  /** Following has ended: what is on the screen stays there. */
  done?(): void;
}

const BAR_WIDTH = 24;
/** Lookups in a row that may fail (an API server restarting) before the view gives up. */
const MAX_FAILED_LOOKS = 30;

function bar(out: OutStream, m: Meter): string {
  if (m.total === undefined) return `${" ".repeat(BAR_WIDTH + 2)} ${m.done}`;
  // Nothing to do (no user signed in, say) is done.
  const filled = m.total === 0 ? BAR_WIDTH : Math.round((Math.min(m.done, m.total) / m.total) * BAR_WIDTH);
  const complete = m.done >= m.total;
  const body = paint(out, complete ? "green" : "cyan", "█".repeat(filled)) + "░".repeat(BAR_WIDTH - filled);
  return `[${body}] ${m.done}/${m.total}`;
}

/** The lines of the terminal block for `request` now. */
export function frame(request: FailoverRequest, clock: Clock, out: OutStream): string[] {
  const s = request.status ?? {};
  const phase = s.phase ?? "(not admitted yet)";
  const colour =
    s.phase === "Succeeded" ? "green" : s.phase === "Failed" || s.phase === "Rejected" ? "red" : "bold";
  const done = (s.phases ?? [])
    .filter((p) => p.completionTime)
    .map((p) => `${p.phase} ✓`)
    .join("  ");
  const width = Math.max(...meters(request).map((m) => m.label.length));
  return [
    `${paint(out, "bold", `FailoverRequest ${request.metadata.namespace}/${request.metadata.name}`)}  ${request.spec.type}${request.spec.dryRun ? " (dry run)" : ""}  ${route(request)}`,
    `Phase    ${paint(out, colour, phase)}${done ? `   ${paint(out, "dim", done)}` : ""}`,
    `Elapsed  ${elapsed(request, clock)}`,
    ...meters(request).map(
      (m) => `  ${m.label.padEnd(width)}  ${bar(out, m)}${m.note ? ` (${m.note})` : ""}`,
    ),
    ...(s.message ? [`${paint(out, "dim", "│")} ${s.message}`] : []),
  ];
}

/** Redraws its block in place: log-update erases the last frame's lines and writes the new ones. */
export function terminalView(out: OutStream, clock: Clock): View {
  // The cursor is left alone: log-update would hide it on process.stderr, not on `out`.
  const draw = createLogUpdate(out, { showCursor: true });
  return {
    show(request) {
      const width = Math.max(20, (out.columns ?? 80) - 1);
      // log-update would wrap a line wider than the terminal (a bar broken in two); it is cut
      // instead, one column short, so that no line ends in the last column.
      const lines = frame(request, clock, out).map((line) => {
        const plain = stripVTControlCharacters(line);
        return plain.length <= width ? line : `${plain.slice(0, width - 1)}…`;
      });
      draw(lines.join("\n"));
    },
    done: () => draw.done(),
  };
}

/** The line for `request`: phase, each meter, elapsed time and message. */
export function progressLine(request: FailoverRequest, clock: Clock): string {
  const s = request.status ?? {};
  const counts = meters(request)
    .map((m) => `${m.label.toLowerCase()} ${m.done}${m.total === undefined ? "" : `/${m.total}`}`)
    .join(", ");
  return [
    s.phase ?? "Created",
    counts,
    `elapsed ${elapsed(request, clock)}`,
    ...(s.message ? [s.message] : []),
  ].join(" | ");
}

/** Prints a timestamped line whenever the request's progress changes; never redraws. */
export function lineView(out: OutStream, clock: Clock): View {
  let last = "";
  return {
    show(request) {
      const s = request.status ?? {};
      // Elapsed time alone is no change worth a line.
      const state = JSON.stringify([s.phase, s.counters, s.totals, s.message]);
      if (state === last) return;
      last = state;
      out.write(`${metav1Time(clock.now())} ${progressLine(request, clock)}\n`);
    },
  };
}

export const viewFor = (out: OutStream, clock: Clock): View =>
  out.isTTY ? terminalView(out, clock) : lineView(out, clock);

export interface FollowOptions {
  /** Real milliseconds between looks. */
  pollMs?: number;
  signal?: AbortSignal;
  /** When to stop following; by default once the request has finished. */
  until?: (request: FailoverRequest) => boolean;
}

/**
 * Shows the request until it has finished (Succeeded, Failed or Rejected), or `options.until`
 * holds; returns it then. Throws if the request is deleted while followed.
 */
export async function follow(
  client: AvddrClient,
  namespace: string,
  name: string,
  view: View,
  options: FollowOptions = {},
): Promise<FailoverRequest> {
  let failedLooks = 0;
  for (;;) {
    options.signal?.throwIfAborted();
    let request: FailoverRequest | undefined;
    try {
      request = await client.getRequest(namespace, name);
      failedLooks = 0;
    } catch (error) {
      if (++failedLooks >= MAX_FAILED_LOOKS) throw error;
    }
    if (request === undefined && failedLooks === 0)
      throw new RefusedError(`FailoverRequest ${namespace}/${name} was deleted while it was followed`);
    if (request) {
      view.show(request);
      if ((options.until ?? isTerminal)(request)) return request;
    }
    // An abort while asleep ends the follow with the signal's own reason (a timeout, Ctrl-C).
    await sleep(options.pollMs ?? 1000, undefined, options.signal ? { signal: options.signal } : {}).catch(
      (error: unknown) => {
        options.signal?.throwIfAborted();
        throw error;
      },
    );
  }
}

/** Waits, showing nothing, until `until` holds for the request; a TimeoutError after `timeoutMs`. */
export const quietlyUntil = (
  client: AvddrClient,
  namespace: string,
  name: string,
  options: { pollMs: number; timeoutMs: number; until: (request: FailoverRequest) => boolean },
): Promise<FailoverRequest> =>
  follow(
    client,
    namespace,
    name,
    { show: () => {} },
    {
      pollMs: options.pollMs,
      signal: AbortSignal.timeout(options.timeoutMs),
      until: options.until,
    },
  );

/** Follows the request with the view that suits `out`, then prints how it ended. */
export async function followAndReport(
  client: AvddrClient,
  namespace: string,
  name: string,
  out: OutStream,
  clock: Clock,
  options: FollowOptions = {},
): Promise<FailoverRequest> {
  const view = viewFor(out, clock);
  const done = await follow(client, namespace, name, view, options).finally(() => view.done?.());
  const ok = done.status?.phase === "Succeeded";
  out.write(`${paint(out, ok ? "green" : "red", ok ? "✓" : "✗")} ${outcome(done)}\n`);
  return done;
}
