export type SearchHit = {
  title: string;
  link: string;
  snippet?: string;
  /** As the provider gives it, e.g. `2024-05-01` or `3 days ago`. */
  date?: string;
};

export type ImageSearchHit = {
  title: string;
  link: string;
  /** The matched picture, encoded, when the provider returns one. */
  image?: Uint8Array;
};

export type SearchOptions = {
  /** Number of results wanted; DeepEyesV2 uses 5. */
  limit?: number;
  signal?: AbortSignal;
  /**
   * The dataset item being answered, when known. Only the MMSearch-R1 cache replay uses it: that
   * cache is keyed by training-item id (`fvqa_train_…`), not by the picture.
   */
  itemId?: string;
};

/** Text search: query in, ranked hits out. Throws a `DeepeyesError` when the provider fails. */
export interface SearchProvider {
  readonly name: string;
  search(query: string, options?: SearchOptions): Promise<SearchHit[]>;
}

/** Reverse image search (a Google Lens-style lookup). */
export interface ImageSearchProvider {
  readonly name: string;
  searchImage(image: Uint8Array, options?: SearchOptions): Promise<ImageSearchHit[]>;
}
