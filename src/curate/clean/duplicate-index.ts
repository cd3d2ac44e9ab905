import { type PerceptualHash, phashDistance } from '../store/image-store.js';

export type Fingerprinted = {
  id: string;
  question: string;
  /** sha256 of each image, in order. */
  images: string[];
  hashes: (PerceptualHash | null)[];
};

/**
 * Finds exact and near duplicates among items seen so far: exact = same normalised question and the
 * same image bytes; near = same normalised question and every image within `maxDistance` bits of
 * pHash (a re-encoded or resized copy). Text-only items match on the question alone.
 */
export class DuplicateIndex {
  private readonly byQuestion = new Map<string, Fingerprinted[]>();

  constructor(private readonly maxDistance: number) {}

  find(candidate: Fingerprinted): { kind: 'exact' | 'near'; of: Fingerprinted } | undefined {
    for (const other of this.byQuestion.get(candidate.question) ?? []) {
      if (other.images.length !== candidate.images.length) continue;
      if (other.images.every((sha, index) => sha === candidate.images[index]))
        return { kind: 'exact', of: other };
      const near = other.hashes.every((hash, index) => {
        const mine = candidate.hashes[index];
        return (
          hash !== null &&
          mine !== null &&
          mine !== undefined &&
          phashDistance(hash, mine) <= this.maxDistance
        );
      });
      if (near) return { kind: 'near', of: other };
    }
    return undefined;
  }

  add(entry: Fingerprinted): void {
    const list = this.byQuestion.get(entry.question) ?? [];
    list.push(entry);
    this.byQuestion.set(entry.question, list);
  }
}
