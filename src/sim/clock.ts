// Simulated time. The topology says when the world starts and how long Azure takes for
// each operation; `timeScale` says how many real milliseconds one simulated millisecond
// lasts (0.01 makes a 2-minute VM start take 1.2 s), so tests run fast while benchmarks
// keep Azure's proportions.
export class SimClock {
  readonly timeScale: number;
  readonly #startSim: number;
  #startReal: number;

  constructor(start: Date, timeScale: number) {
    if (!(timeScale > 0)) throw new Error(`timeScale must be a positive number, got ${timeScale}`);
    this.timeScale = timeScale;
    this.#startSim = start.getTime();
    this.#startReal = performance.now();
  }

  /** Simulated epoch milliseconds. */
  now(): number {
    return this.#startSim + (performance.now() - this.#startReal) / this.timeScale;
  }

  nowIso(): string {
    return new Date(this.now()).toISOString();
  }

  /** Back to the topology's start time (admin reset). */
  restart(): void {
    this.#startReal = performance.now();
  }
}

interface Scheduled {
  at: number;
  seq: number;
  apply: () => void;
}

// Things that happen at a simulated instant (a VM reaches `running`, an agent reports in,
// an operation completes). Nothing runs on real timers: every request first calls
// `advance()`, which applies the due events in time order, so the world a request sees is
// exactly the world at its instant, however fast or slow the clock runs.
export class Timeline {
  readonly clock: SimClock;
  #heap: Scheduled[] = [];
  #seq = 0;
  #applying: number | undefined;

  constructor(clock: SimClock) {
    this.clock = clock;
  }

  /** Run `apply` at simulated time `at` (epoch ms). */
  at(at: number, apply: () => void): void {
    this.#push({ at, seq: this.#seq++, apply });
  }

  /** Run `apply` `simMs` simulated milliseconds from now. */
  after(simMs: number, apply: () => void): number {
    const at = this.now() + simMs;
    this.at(at, apply);
    return at;
  }

  /** The current instant: while an event applies, its own time, so chains stay exact. */
  now(): number {
    return this.#applying ?? this.clock.now();
  }

  advance(): void {
    const now = this.clock.now();
    for (let top = this.#heap[0]; top !== undefined && top.at <= now; top = this.#heap[0]) {
      this.#pop();
      this.#applying = top.at;
      try {
        top.apply();
      } finally {
        this.#applying = undefined;
      }
    }
  }

  clear(): void {
    this.#heap = [];
  }

  get pending(): number {
    return this.#heap.length;
  }

  #before(a: Scheduled, b: Scheduled): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  #push(item: Scheduled): void {
    const heap = this.#heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && this.#before(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && this.#before(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === i) break;
      [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
      i = smallest;
    }
  }
}
