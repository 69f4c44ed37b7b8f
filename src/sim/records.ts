// What the emulator remembers about the calls it served: counters of ARM calls by kind and
// status, and an audit log of every write, so that tests can prove what happened and in
// which order.
export interface CallCount {
  kind: string;
  status: number;
  count: number;
}

export class CallCounters {
  readonly #counts = new Map<string, CallCount>();

  add(kind: string, status: number): void {
    const key = `${kind} ${status}`;
    const entry = this.#counts.get(key);
    if (entry) entry.count++;
    else this.#counts.set(key, { kind, status, count: 1 });
  }

  list(): CallCount[] {
    return [...this.#counts.values()].map((c) => ({ ...c }));
  }

  /** Calls of one kind (all statuses, or one). */
  count(kind: string, status?: number): number {
    let total = 0;
    for (const c of this.#counts.values())
      if (c.kind === kind && (status === undefined || c.status === status)) total += c.count;
    return total;
  }

  total(): number {
    let total = 0;
    for (const c of this.#counts.values()) total += c.count;
    return total;
  }

  clear(): void {
    this.#counts.clear();
  }
}

export interface AuditEntry {
  /** Simulated time of the write, ISO 8601. */
  time: string;
  /** Position in the log, for ordering writes that share an instant. */
  seq: number;
  operation: string;
  /** The resource written (for actions, the resource acted on). */
  target: string;
  status: number;
  principal?: string;
  details?: Record<string, unknown>;
}

export class AuditLog {
  #entries: AuditEntry[] = [];

  add(entry: Omit<AuditEntry, "seq">): void {
    this.#entries.push({ ...entry, seq: this.#entries.length + 1 });
  }

  list(filter: { operation?: string; since?: number } = {}): AuditEntry[] {
    return this.#entries.filter(
      (e) =>
        (filter.operation === undefined || e.operation === filter.operation) && e.seq > (filter.since ?? 0),
    );
  }

  clear(): void {
    this.#entries = [];
  }
}
