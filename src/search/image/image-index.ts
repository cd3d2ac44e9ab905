import type Database from 'better-sqlite3';
import sharp from 'sharp';
import { type IndexFileKind, openIndexFile } from '../index-file.js';
import type { ImageSearchHit } from '../search-provider.js';
import {
  decodeForFingerprint,
  type Fingerprint,
  fingerprintWindow,
  HISTOGRAM_BINS,
  hammingDistance,
  histogramSimilarity,
  indexWindows,
  WHOLE_PICTURE,
} from './image-fingerprint.js';

const THUMBNAIL_SIDE = 512;

const IMAGE_INDEX_FILE: IndexFileKind = {
  noun: 'image index',
  article: 'an',
  metaTable: 'deepeyes_image_index',
  schemaVersion: '1',
  schemaSql: `
    CREATE TABLE images (rowid INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, title TEXT NOT NULL, link TEXT NOT NULL, thumbnail BLOB NOT NULL);
    CREATE TABLE windows (image INTEGER NOT NULL REFERENCES images (rowid), hash_high INTEGER NOT NULL, hash_low INTEGER NOT NULL, histogram BLOB NOT NULL);
    CREATE INDEX windows_by_image ON windows (image);`,
  buildCommand: 'deepeyes index build --images DIR|FILE.jsonl --out INDEX',
  rebuildCommand: 'deepeyes index build --images …',
};

/** A picture to index, with what a result shows for it. */
export type IndexedImage = { key: string; title: string; link: string; bytes: Uint8Array };

export type ImageMatch = ImageSearchHit & { score: number; hammingDistance: number };

export type ImageSearchOptions = {
  limit?: number;
  /** Results below this similarity (0–1) are near-duplicates of nothing and are left out. Default 0.55. */
  minScore?: number;
};

/**
 * Near-duplicate image search: each indexed picture is fingerprinted over 225 windows; a query is
 * fingerprinted whole and compared with every window (64-bit Hamming distance + colour histogram
 * intersection). Finds the picture again after crops, resizes and re-encodes. Fingerprints load
 * into memory on open (~16 KB per picture), so the scan is a tight loop over typed arrays.
 */
export class ImageIndex {
  private windowImage = new Int32Array(0);
  private windowHigh = new Uint32Array(0);
  private windowLow = new Uint32Array(0);
  private windowHistogram = new Uint8Array(0);
  private imageRowids: number[] = [];

  private constructor(
    private readonly database: Database.Database,
    readonly path: string,
  ) {
    this.reload();
  }

  static open(path: string, options: { create?: boolean } = {}): ImageIndex {
    return new ImageIndex(openIndexFile(path, IMAGE_INDEX_FILE, options), path);
  }

  /**
   * Fingerprints and stores pictures; a picture whose key exists (earlier in the set or already in the
   * index) is replaced, and `onReplaced` hears its key so the caller can report it.
   */
  async add(
    images: Iterable<IndexedImage> | AsyncIterable<IndexedImage>,
    onReplaced?: (key: string) => void,
  ): Promise<number> {
    const windows = indexWindows();
    const existing = this.database.prepare('SELECT 1 FROM images WHERE key = ?');
    const insertImage = this.database.prepare(
      'INSERT INTO images (key, title, link, thumbnail) VALUES (?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET title = excluded.title, link = excluded.link, thumbnail = excluded.thumbnail RETURNING rowid',
    );
    const clearWindows = this.database.prepare('DELETE FROM windows WHERE image = ?');
    const insertWindow = this.database.prepare(
      'INSERT INTO windows (image, hash_high, hash_low, histogram) VALUES (?, ?, ?, ?)',
    );
    let added = 0;
    for await (const image of images) {
      const pixels = await decodeForFingerprint(image.bytes);
      const fingerprints = windows.map((window) => fingerprintWindow(pixels, window));
      const thumbnail = await sharp(image.bytes)
        .rotate()
        .resize(THUMBNAIL_SIDE, THUMBNAIL_SIDE, { fit: 'inside', withoutEnlargement: true })
        .jpeg({ quality: 85 })
        .toBuffer();
      this.database.transaction(() => {
        if (onReplaced && existing.get(image.key) !== undefined) onReplaced(image.key);
        const { rowid } = insertImage.get(image.key, image.title, image.link, thumbnail) as { rowid: number };
        clearWindows.run(rowid);
        for (const fingerprint of fingerprints) {
          insertWindow.run(
            rowid,
            fingerprint.hashHigh,
            fingerprint.hashLow,
            Buffer.from(fingerprint.histogram),
          );
        }
      })();
      added += 1;
    }
    this.reload();
    return added;
  }

  /** Indexed pictures most similar to `image`, best first. */
  async search(image: Uint8Array, options: ImageSearchOptions = {}): Promise<ImageMatch[]> {
    const query = fingerprintWindow(await decodeForFingerprint(image), WHOLE_PICTURE);
    return this.searchFingerprint(query, options);
  }

  searchFingerprint(query: Fingerprint, options: ImageSearchOptions = {}): ImageMatch[] {
    const limit = options.limit ?? 5;
    const minScore = options.minScore ?? 0.55;
    const best = new Map<number, { score: number; distance: number }>();
    for (let window = 0; window < this.windowImage.length; window += 1) {
      const distance = hammingDistance(
        query.hashHigh,
        query.hashLow,
        this.windowHigh[window]!,
        this.windowLow[window]!,
      );
      // Unrelated pictures differ in ~32 of 64 bits: map 0 → 1 and ≥ 32 → 0.
      const hashScore = Math.max(0, 1 - distance / 32);
      if (hashScore === 0) continue;
      const colourScore = histogramSimilarity(query.histogram, this.windowHistogram, window * HISTOGRAM_BINS);
      const score = 0.75 * hashScore + 0.25 * colourScore;
      const image = this.windowImage[window]!;
      const known = best.get(image);
      if (!known || score > known.score) best.set(image, { score, distance });
    }
    const ranked = [...best.entries()]
      .filter(([, match]) => match.score >= minScore)
      .sort((a, b) => b[1].score - a[1].score);
    const select = this.database.prepare<[number], { title: string; link: string; thumbnail: Buffer }>(
      'SELECT title, link, thumbnail FROM images WHERE rowid = ?',
    );
    return ranked.slice(0, limit).map(([image, match]) => {
      const row = select.get(this.imageRowids[image]!)!;
      return {
        title: row.title,
        link: row.link,
        image: new Uint8Array(row.thumbnail),
        score: match.score,
        hammingDistance: match.distance,
      };
    });
  }

  stats(): { images: number; windows: number; path: string } {
    return { images: this.imageRowids.length, windows: this.windowImage.length, path: this.path };
  }

  close(): void {
    this.database.close();
  }

  private reload(): void {
    const rows = this.database
      .prepare<[], { image: number; hash_high: number; hash_low: number; histogram: Buffer }>(
        'SELECT image, hash_high, hash_low, histogram FROM windows ORDER BY image',
      )
      .all();
    const positions = new Map<number, number>();
    this.imageRowids = [];
    this.windowImage = new Int32Array(rows.length);
    this.windowHigh = new Uint32Array(rows.length);
    this.windowLow = new Uint32Array(rows.length);
    this.windowHistogram = new Uint8Array(rows.length * HISTOGRAM_BINS);
    rows.forEach((row, window) => {
      let position = positions.get(row.image);
      if (position === undefined) {
        position = this.imageRowids.push(row.image) - 1;
        positions.set(row.image, position);
      }
      this.windowImage[window] = position;
      this.windowHigh[window] = row.hash_high;
      this.windowLow[window] = row.hash_low;
      this.windowHistogram.set(row.histogram, window * HISTOGRAM_BINS);
    });
  }
}
