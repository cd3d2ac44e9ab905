import { DeepeyesError } from '../errors.js';

/** A search backend failed: unreachable, timed out, answered an error, or sent a shape we cannot read. */
export class SearchProviderError extends DeepeyesError {
  readonly provider: string;
  /** HTTP status when the provider answered one. */
  readonly status: number | undefined;

  constructor(
    provider: string,
    message: string,
    options: { status?: number; cause?: unknown; hint?: string } = {},
  ) {
    super('search-provider-failed', `${provider}: ${message}`, { cause: options.cause, hint: options.hint });
    this.provider = provider;
    this.status = options.status;
  }
}

/** Replay-only mode met a query that was never recorded: the run is not reproducible as configured. */
export class SearchCacheMissError extends DeepeyesError {
  constructor(provider: string, key: string) {
    super('search-cache-miss', `no recorded ${provider} result for ${key} (cache is replay-only)`, {
      hint: 'record the run first with --search-cache-mode record, or point --search-cache at the recorded cache',
    });
  }
}
