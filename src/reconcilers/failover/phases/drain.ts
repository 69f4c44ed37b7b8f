// Drain: users leave the region being failed over from. Every host there goes into drain mode
// (no new sessions), every Active or Disconnected session gets the notice, and once a user's own
// notice is `gracePeriod` old their session is logged off (Force) or waited for (WaitForLogOff).
// The work is pipelined: each pass sends what ARM's write and delete budgets allow (the gateways'
// pacer spaces it) and records it, so log-offs follow their notices while later notices still go
// out. Invariant, across restarts: nobody is logged off before their recorded notice time plus
// the grace period; a notice whose sending was not recorded is sent again, with the full grace.
import {
  type DrainRecord,
  drainHistory,
  formatDuration,
  metav1Time,
  sessionKey,
  withEnded,
  withNotified,
} from "../../../api/index.ts";
import { classifyAzureError } from "../../../azure/classify.ts";
import type { UserSessionInfo } from "../../../azure/gateways.ts";
import type { Host } from "../../inventory.ts";
import { some } from "../../some.ts";
import type { FailoverScope } from "../scope.ts";
import { count } from "../status.ts";
import { done, failed, POLL_MS, type StepResult, wait } from "../step.ts";
import { phaseStartedAt } from "../timeline.ts";

/**
 * Per pass: notices (writes), log-offs (deletes) and drain-mode writes, sent side by side. A full
 * ARM bucket holds about 200 tokens: a pass can spend what refilled while the last one was read
 * and recorded, and the gateways' pacer spaces the rest.
 */
const NOTICES_PER_PASS = 200;
const LOG_OFFS_PER_PASS = 200;
const DRAIN_MODE_PER_PASS = 200;
/** How long (clock time) a pass may work from the last read of hosts and sessions. */
const RELIST_MS = 60_000;
/** A session still listed this long after its log-off is logged off again. */
const LOG_OFF_AGAIN_MS = 5 * 60_000;
/** An Unplanned failover gives the drain this long (clock time), then goes on. */
const BEST_EFFORT_MS = 2 * 60_000;

export const NOTIFIABLE: ReadonlySet<string> = new Set(["Active", "Disconnected"]);

/** The drain record's key of a session as Desktop Virtualization lists it. */
export const userSessionKey = (s: UserSessionInfo): string =>
  sessionKey({
    host: s.sessionHost,
    sessionId: s.sessionId,
    user: s.userPrincipalName,
    ...(s.createTime ? { createTime: s.createTime } : {}),
  });

interface Sent {
  ok: string[];
  gone: string[];
  /** Calls Azure did not answer (throttled, unavailable): sent again later. */
  retry: number;
  errors: string[];
}

export async function drain(scope: FailoverScope): Promise<StepResult> {
  const unplanned = scope.request.spec.type === "Unplanned";
  try {
    return await drainPass(scope, unplanned);
  } catch (error) {
    // An Unplanned failover does not wait for a region that cannot be reached.
    if (!unplanned || classifyAzureError(error).kind === "bug") throw error;
    const why = error instanceof Error ? error.message : String(error);
    scope.status.drain = { ...scope.status.drain, skipped: `the region could not be drained: ${why}` };
    return done(`drain skipped (Unplanned): ${why}`);
  }
}

/**
 * The hosts of the region being left and their sessions: read afresh at most every RELIST_MS of
 * clock time (and always before the drain is called done); in between, the last read as this
 * process's earlier passes left it. A session that signs in meanwhile is found at the next read.
 */
async function view(
  scope: FailoverScope,
  fresh: boolean,
): Promise<{ hosts: Host[]; sessions: UserSessionInfo[]; cached: boolean }> {
  const now = scope.now().getTime();
  const kept = scope.memory.drain;
  if (!fresh && kept && now - kept.readAt < RELIST_MS)
    return { hosts: kept.hosts, sessions: kept.sessions, cached: true };
  const hosts = (await scope.hosts()).hosts.filter((h) => h.region === scope.from);
  const sessions = await sessionsOn(scope, hosts);
  scope.memory.drain = { readAt: now, hosts, sessions };
  return { hosts, sessions, cached: false };
}

async function drainPass(scope: FailoverScope, unplanned: boolean): Promise<StepResult> {
  const { hosts, sessions, cached } = await view(scope, false);
  const { desktopVirtualization: dv } = scope.gateways;
  const open = hosts.filter((h) => h.info.allowNewSession);
  const opens = open.slice(0, DRAIN_MODE_PER_PASS);
  const drainMode = send(
    opens,
    (h) => `${h.pool.name}/${h.info.name}`,
    (h) => dv.setAllowNewSession(h.pool.resourceGroup, h.pool.name, h.info.name, false),
  );
  const policy = scope.drain;
  let record: DrainRecord = { ...scope.status.drain, gracePeriod: policy.gracePeriod };
  const history = drainHistory(record);
  const notified = new Map(history.map((h) => [h.key, h.notifiedAt]));
  const loggedOff = new Map(history.flatMap((h) => (h.loggedOffAt ? [[h.key, h.loggedOffAt] as const] : [])));
  const now = scope.now();
  const present = new Set(sessions.map(userSessionKey));

  // Notified sessions that are gone without a log-off: the user signed out.
  const left = history
    .filter((h) => !present.has(h.key) && h.loggedOffAt === undefined && h.signedOutAt === undefined)
    .map((h) => h.key);
  record = withEnded(record, "signedOut", left, metav1Time(now));

  const toNotify = sessions.filter((s) => NOTIFIABLE.has(s.state) && !notified.has(userSessionKey(s)));
  const dueAt = (s: UserSessionInfo) =>
    (notified.get(userSessionKey(s)) ?? Number.POSITIVE_INFINITY) + policy.graceMs;
  // A session still there long after its log-off is logged off again (the call is idempotent).
  const loggedOffLongAgo = (s: UserSessionInfo) =>
    (loggedOff.get(userSessionKey(s)) ?? Number.POSITIVE_INFINITY) + LOG_OFF_AGAIN_MS <= now.getTime();
  const logOffs =
    policy.logOffPolicy === "Force" && !unplanned
      ? sessions.filter(
          (s) => (!loggedOff.has(userSessionKey(s)) || loggedOffLongAgo(s)) && dueAt(s) <= now.getTime(),
        )
      : [];

  const notices = toNotify.slice(0, NOTICES_PER_PASS);
  const offs = logOffs.slice(0, LOG_OFFS_PER_PASS);
  const [drained, sentNotices, sentLogOffs] = await Promise.all([
    drainMode,
    send(notices, userSessionKey, (s) => dv.sendMessage(s, policy.title, policy.message)),
    send(offs, userSessionKey, (s) => dv.logOff(s)),
  ]);
  // A notice is recorded with a time after its answer came back, rounded up to the second that
  // status keeps: never earlier than the user was shown it.
  const after = metav1Time(new Date(Math.ceil(scope.now().getTime() / 1000) * 1000));
  record = withNotified(record, sentNotices.ok, after);
  for (const key of sentNotices.ok) notified.set(key, Date.parse(after));
  record = withEnded(record, "loggedOff", sentLogOffs.ok, after);
  scope.status.drain = record;

  // What this pass changed, so that the next pass from memory does not send it again.
  for (const h of opens)
    if (drained.ok.includes(`${h.pool.name}/${h.info.name}`)) h.info.allowNewSession = false;
  const ended = new Set([...sentLogOffs.ok, ...sentLogOffs.gone, ...sentNotices.gone]);
  if (scope.memory.drain) scope.memory.drain.sessions = sessions.filter((s) => !ended.has(userSessionKey(s)));

  const notifiedCount = notified.size;
  const loggedOffCount = loggedOff.size + sentLogOffs.ok.length;
  const stillOpen = open.length - drained.ok.length;
  scope.status.totals = {
    ...scope.status.totals,
    hosts: hosts.length,
    sessions: new Set([...notified.keys(), ...toNotify.map(userSessionKey)]).size,
  };
  count(scope.status, {
    hostsDrained: hosts.length - stillOpen,
    sessionsNotified: notifiedCount,
    sessionsLoggedOff: loggedOffCount,
  });
  const errors = [...drained.errors, ...sentNotices.errors, ...sentLogOffs.errors];
  if (errors.length > 0)
    return failed("DrainRefused", `Azure refused part of the drain: ${errors.slice(0, 3).join("; ")}`);

  const progress = `${hosts.length - stillOpen} of ${hosts.length} host(s) in drain mode, ${notifiedCount} user(s) notified, ${loggedOffCount} logged off`;
  const moreToSend =
    open.length > opens.length || toNotify.length > notices.length || logOffs.length > offs.length;
  // Calls Azure did not answer are sent again after a pause, not in a tight loop.
  const retryMs = drained.retry + sentNotices.retry + sentLogOffs.retry > 0 ? POLL_MS / 2 : 0;
  if (unplanned) {
    const elapsed = now.getTime() - phaseStartedAt(scope.status, "Draining", now);
    if (!moreToSend && retryMs === 0)
      return done(`drained on a best-effort basis (Unplanned: no log-offs, no waiting): ${progress}`);
    // A region that answers nothing of a whole pass is taken to be down: the failover goes on.
    const nothingAnswered = retryMs > 0 && drained.ok.length + sentNotices.ok.length === 0;
    if (nothingAnswered || elapsed > BEST_EFFORT_MS) {
      const left = `${stillOpen} host(s) not in drain mode, ${toNotify.length - sentNotices.ok.length} user(s) not told`;
      const why = nothingAnswered ? "the region did not answer" : `gave up after ${formatDuration(elapsed)}`;
      scope.status.drain = { ...record, skipped: `${why} (Unplanned): ${left}` };
      return done(`drain cut short (Unplanned): ${left}`);
    }
    return wait(progress, retryMs);
  }
  if (moreToSend || retryMs > 0) return wait(progress, retryMs);
  const remaining = sessions.filter((s) => !ended.has(userSessionKey(s)));
  if (remaining.length === 0 && stillOpen === 0) {
    // Done only on a fresh read: a user may have signed in since the last one.
    if (cached) {
      scope.memory.drain = undefined;
      return wait(progress, 0);
    }
    return done(`every host in drain mode and every user signed out: ${progress}`);
  }

  if (policy.logOffPolicy === "WaitForLogOff") {
    const waited = now.getTime() - phaseStartedAt(scope.status, "Draining", now);
    if (waited > scope.verify.timeoutMs)
      return failed(
        "UsersStillSignedIn",
        `after ${formatDuration(waited)} (verify.timeout), ${remaining.length} user(s) are still signed in: ${some(remaining.map((s) => `${s.userPrincipalName} on ${s.sessionHost}`))}; ask them to sign out, or fail over again with drain.logOffPolicy Force`,
      );
  }
  const upcoming = remaining.map(dueAt).filter((t) => Number.isFinite(t) && t > now.getTime());
  if (upcoming.length === 0) return wait(`${progress}; ${remaining.length} session(s) ending`, POLL_MS / 2);
  const nextDue = Math.min(...upcoming);
  return wait(
    `${progress}; ${remaining.length} session(s) left; next log-off at ${metav1Time(new Date(nextDue))}`,
    Math.min(Math.max(1000, nextDue - now.getTime()), POLL_MS * 6),
  );
}

/** The user sessions on `hosts`, one paged list per host pool. */
export async function sessionsOn(scope: FailoverScope, hosts: Host[]): Promise<UserSessionInfo[]> {
  const names = new Set(hosts.map((h) => `${h.pool.name}/${h.info.name}`.toLowerCase()));
  const pools = new Map(hosts.map((h) => [`${h.pool.resourceGroup}/${h.pool.name}`.toLowerCase(), h.pool]));
  const lists = await Promise.all(
    [...pools.values()].map((p) =>
      scope.gateways.desktopVirtualization.listUserSessions(p.resourceGroup, p.name),
    ),
  );
  return lists.flat().filter((s) => names.has(`${s.hostPool}/${s.sessionHost}`.toLowerCase()));
}

/** Sends one call per item; what was done, what no longer exists, and what Azure refused for good. */
async function send<T>(
  items: T[],
  keyOf: (item: T) => string,
  call: (item: T) => Promise<unknown>,
): Promise<Sent> {
  const sent: Sent = { ok: [], gone: [], retry: 0, errors: [] };
  const outcomes = await Promise.allSettled(items.map(call));
  outcomes.forEach((outcome, i) => {
    const key = keyOf(items[i]!);
    if (outcome.status === "fulfilled") {
      sent.ok.push(key);
      return;
    }
    const failure = classifyAzureError(outcome.reason);
    // Transient: sent again next pass. Gone: the session ended (or the host left the pool).
    if (failure.kind === "transient") sent.retry++;
    else if (failure.kind === "needsPerson" && failure.reason.endsWith("NotFound")) sent.gone.push(key);
    else if (failure.kind === "bug") throw outcome.reason;
    else sent.errors.push(`${key}: ${failure.message}; ${failure.fix}`);
  });
  return sent;
}
