import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { probeImage } from '../../image/index.js';
import {
  decodeForFingerprint,
  fingerprintWindow,
  hammingDistance,
  WHOLE_PICTURE,
} from '../../search/image/image-fingerprint.js';
import type { StoredImageRef } from '../curation-item.js';
import type { CurationStore } from './curation-store.js';

/** A 64-bit perceptual hash as two 32-bit halves. */
export type PerceptualHash = { high: number; low: number };

export function phashDistance(left: PerceptualHash, right: PerceptualHash): number {
  return hammingDistance(left.high, left.low, right.high, right.low);
}

/** The perceptual hash `src/search/image` computes for the whole picture; null when undecodable. */
export async function perceptualHash(bytes: Uint8Array): Promise<PerceptualHash | null> {
  try {
    const fingerprint = fingerprintWindow(await decodeForFingerprint(bytes), WHOLE_PICTURE);
    return { high: fingerprint.hashHigh >>> 0, low: fingerprint.hashLow >>> 0 };
  } catch {
    return null;
  }
}

/**
 * Images stored once, named by the sha256 of their bytes: `DIR/images/ab/abcdef….<ext>`. The file
 * is written to a temporary name and renamed, so a kill never leaves a half image under a real name.
 */
export class ImageStore {
  readonly root: string;

  constructor(private readonly store: CurationStore) {
    this.root = join(store.directory, 'images');
  }

  pathOf(sha256: string): string {
    const row = this.store.statement('SELECT ext FROM images WHERE sha256 = ?').get(sha256) as
      | { ext: string }
      | undefined;
    return join(this.root, sha256.slice(0, 2), `${sha256}.${row?.ext ?? 'bin'}`);
  }

  async put(bytes: Uint8Array): Promise<StoredImageRef> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const known = this.store.statement('SELECT width, height FROM images WHERE sha256 = ?').get(sha256) as
      | { width: number | null; height: number | null }
      | undefined;
    if (known && existsSync(this.pathOf(sha256))) return { sha256, ...known };
    let width: number | null = null;
    let height: number | null = null;
    let ext = 'bin';
    try {
      const info = await probeImage(bytes);
      width = info.width;
      height = info.height;
      ext = info.format === 'jpeg' ? 'jpg' : info.format === 'other' ? 'img' : info.format;
    } catch {
      // Unreadable bytes are still stored: the clean stage drops the item and says why.
    }
    const folder = join(this.root, sha256.slice(0, 2));
    mkdirSync(folder, { recursive: true });
    const path = join(folder, `${sha256}.${ext}`);
    const temporary = `${path}.${randomUUID()}.tmp`;
    await writeFile(temporary, bytes);
    await rename(temporary, path);
    this.store
      .statement('INSERT OR REPLACE INTO images (sha256, ext, width, height, size) VALUES (?, ?, ?, ?, ?)')
      .run(sha256, ext, width, height, bytes.length);
    return { sha256, width, height };
  }

  async read(sha256: string): Promise<Uint8Array> {
    return new Uint8Array(await readFile(this.pathOf(sha256)));
  }

  /** The image's perceptual hash, computed once and kept in the store. */
  async phash(sha256: string): Promise<PerceptualHash | null> {
    const row = this.store.statement('SELECT phash FROM images WHERE sha256 = ?').get(sha256) as
      | { phash: string | null }
      | undefined;
    if (row?.phash) return row.phash === 'none' ? null : (JSON.parse(row.phash) as PerceptualHash);
    const hash = await perceptualHash(await this.read(sha256));
    this.store
      .statement('UPDATE images SET phash = ? WHERE sha256 = ?')
      .run(hash ? JSON.stringify(hash) : 'none', sha256);
    return hash;
  }
}
