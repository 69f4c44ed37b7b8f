// status.drain of a FailoverRequest, read and written in one place: the operator's drain records
// into it, the CLI's report and the demo read it back. Sessions are kept once each, in the order
// their notices were recorded; batches refer to them by position (see DrainRecordSchema).
import type { DrainRecord } from "./failover-request.ts";

/** One user session instance: its host, id, user and sign-in time (ids are reused on a host). */
export interface SessionId {
  host: string;
  sessionId: string;
  user: string;
  /** Sign-in time, when Azure gave one. */
  createTime?: Date;
}

export function sessionKey(s: SessionId): string {
  const since = s.createTime ? Math.floor(s.createTime.getTime() / 1000).toString(36) : "";
  return `${s.host}/${s.sessionId}/${s.user}/${since}`;
}

export function parseSessionKey(key: string): Omit<SessionId, "createTime"> {
  const [host = "", sessionId = "", user = ""] = key.split("/");
  return { host, sessionId, user };
}

/** The sign-in time a session key carries, if Azure gave one (to the second). */
export function sessionSignInTime(key: string): Date | undefined {
  const since = key.split("/")[3];
  return since ? new Date(Number.parseInt(since, 36) * 1000) : undefined;
}

/** What the record says of each session (epoch ms). */
export interface SessionHistory {
  key: string;
  notifiedAt: number;
  loggedOffAt?: number;
  signedOutAt?: number;
}

/** Each recorded session with its times, in the order they were notified. */
export function drainHistory(record: DrainRecord | undefined): SessionHistory[] {
  const sessions = record?.sessions ?? [];
  const history: SessionHistory[] = [];
  let next = 0;
  for (const batch of record?.notified ?? []) {
    const at = Date.parse(batch.at);
    for (const key of sessions.slice(next, next + batch.count)) history.push({ key, notifiedAt: at });
    next += batch.count;
  }
  const mark = (batches: DrainRecord["loggedOff"], field: "loggedOffAt" | "signedOutAt") => {
    for (const batch of batches ?? [])
      for (const i of batch.sessions) {
        const entry = history[i];
        if (entry && entry[field] === undefined) entry[field] = Date.parse(batch.at);
      }
  };
  mark(record?.loggedOff, "loggedOffAt");
  mark(record?.signedOut, "signedOutAt");
  return history;
}

/** The record with sessions notified at `at` added (keys already recorded are not added twice). */
export function withNotified(record: DrainRecord, keys: readonly string[], at: string): DrainRecord {
  const known = new Set(record.sessions ?? []);
  const added = keys.filter((k) => !known.has(k));
  if (added.length === 0) return record;
  return {
    ...record,
    sessions: [...(record.sessions ?? []), ...added],
    notified: [...(record.notified ?? []), { at, count: added.length }],
  };
}

/** The record with these notified sessions logged off (or signed out) at `at`. */
export function withEnded(
  record: DrainRecord,
  field: "loggedOff" | "signedOut",
  keys: readonly string[],
  at: string,
): DrainRecord {
  const index = new Map((record.sessions ?? []).map((k, i) => [k, i]));
  const positions = keys.map((k) => index.get(k)).filter((i): i is number => i !== undefined);
  if (positions.length === 0) return record;
  return { ...record, [field]: [...(record[field] ?? []), { at, sessions: positions }] };
}
