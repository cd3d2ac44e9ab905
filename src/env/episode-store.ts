import { Episode, type EpisodeDependencies, EpisodeError, type EpisodePrompt } from './episode.js';
import type { CreateEpisodeRequest } from './episode-spec.js';

export type EpisodeStoreOptions = {
  /** Episodes open at once; more are refused with 429. Default 4096 (256 prompts × 16 samples). */
  capacity?: number;
  /** An episode without a request for this long is closed. Default 10 min. */
  idleTtlMs?: number;
  /** How often idle episodes are looked for. Default 10 s. */
  sweepIntervalMs?: number;
  /**
   * When the service itself last made requests wait (the sandbox session gate's line). A client
   * whose next request is stuck behind its own connection pool while the server's kernels are all
   * taken is not idle: idle time counts from the later of its last request and this moment.
   */
  lastSaturatedAt?: () => number | undefined;
  /**
   * An episode without a request for this long is closed even while the service is saturated, so
   * an abandoned episode holding a kernel cannot live forever behind a busy server. Default 6 × the TTL.
   */
  abandonAfterMs?: number;
};

export type StoreCounters = { created: number; closed: number; expired: number; rejected: number };

/** Open episodes by id, with a capacity and idle expiry. */
export class EpisodeStore {
  readonly capacity: number;
  private readonly idleTtlMs: number;
  private readonly abandonAfterMs: number;
  private readonly lastSaturatedAt: () => number | undefined;
  private readonly now: () => number;
  private readonly episodes = new Map<string, Episode>();
  /** Creations in flight count against the capacity too. */
  private pending = 0;
  private readonly timer: NodeJS.Timeout;
  readonly counters: StoreCounters = { created: 0, closed: 0, expired: 0, rejected: 0 };

  constructor(
    private readonly dependencies: EpisodeDependencies,
    options: EpisodeStoreOptions = {},
  ) {
    this.capacity = options.capacity ?? 4096;
    this.idleTtlMs = options.idleTtlMs ?? 600_000;
    this.abandonAfterMs = options.abandonAfterMs ?? 6 * this.idleTtlMs;
    this.lastSaturatedAt = options.lastSaturatedAt ?? (() => undefined);
    // The same clock the episodes stamp their activity with.
    this.now = dependencies.now ?? (() => performance.now());
    this.timer = setInterval(() => void this.sweep(), options.sweepIntervalMs ?? 10_000);
    this.timer.unref();
  }

  get size(): number {
    return this.episodes.size;
  }

  async create(request: CreateEpisodeRequest): Promise<{ episode: Episode; prompt: EpisodePrompt }> {
    if (this.episodes.size + this.pending >= this.capacity) {
      this.counters.rejected += 1;
      throw new EpisodeError(429, 'env-full', `the environment already has ${this.capacity} open episodes`, {
        hint: 'Retry after the Retry-After delay, finish or DELETE episodes, or raise --max-episodes.',
      });
    }
    this.pending += 1;
    try {
      const created = await Episode.create(request, this.dependencies);
      this.episodes.set(created.episode.id, created.episode);
      this.counters.created += 1;
      return created;
    } finally {
      this.pending -= 1;
    }
  }

  get(id: string): Episode {
    const episode = this.episodes.get(id);
    if (!episode) {
      throw new EpisodeError(404, 'unknown-episode', `no open episode ${id}`, {
        hint: 'It was deleted, finished, or expired after being idle; create a new one.',
      });
    }
    return episode;
  }

  async close(id: string): Promise<void> {
    const episode = this.get(id);
    this.episodes.delete(id);
    this.counters.closed += 1;
    await episode.close();
  }

  /** Closes episodes idle longer than the TTL (a trainer that crashed mid-rollout leaks nothing). */
  async sweep(now = this.now()): Promise<number> {
    const saturatedAt = this.lastSaturatedAt() ?? Number.NEGATIVE_INFINITY;
    const idle = [...this.episodes.values()].filter((episode) => {
      // An episode in the middle of a step (waiting for a free kernel, say) is not idle, however long it waits.
      if (episode.isBusy) return false;
      const silentFor = now - episode.lastActiveAt;
      if (silentFor > this.abandonAfterMs) return true;
      // Time the server kept everyone waiting does not count: the client's next request may be queued behind it.
      return now - Math.max(episode.lastActiveAt, saturatedAt) > this.idleTtlMs;
    });
    for (const episode of idle) {
      this.episodes.delete(episode.id);
      this.counters.expired += 1;
      await episode.close().catch(() => undefined);
    }
    return idle.length;
  }

  async closeAll(): Promise<void> {
    clearInterval(this.timer);
    const all = [...this.episodes.values()];
    this.episodes.clear();
    await Promise.all(all.map((episode) => episode.close().catch(() => undefined)));
  }
}
