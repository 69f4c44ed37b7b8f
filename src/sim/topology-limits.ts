// Limits that a topology sets and the admin API replaces at run time (ARM's and Compute's
// throttling): what they started from, and going back to it on an admin reset.
export abstract class TopologyLimits<Config> {
  readonly #initial: Config;

  protected constructor(initial: Config) {
    this.#initial = initial;
  }

  /** New limits; every bucket starts full. */
  abstract configure(config: Config): void;

  /** The limits in force, as the topology and the admin API write them. */
  abstract config(): unknown;

  /** Back to the topology's limits, buckets full. */
  reset(): void {
    this.configure(this.#initial);
  }
}
