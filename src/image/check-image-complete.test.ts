import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkImageComplete } from './check-image-complete.js';

/** PNG and JPEG variants with PIL's `Image.load()` verdict, written by test/fixtures/image-completeness/generate.py. */
const cases = readFileSync('test/fixtures/image-completeness/cases.jsonl', 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as { name: string; bytes: string; pil_loads: boolean });

// Deliberate difference: damage inside a JPEG's entropy-coded data is only found by decoding it, which
// this check exists to avoid. PIL accepts some such files (libjpeg warns and goes on) and refuses others;
// the kernel's own `Image.open(...).load()` still reports those to the model as a traceback.
const DECODE_ONLY = new Set(['jpeg-progressive damaged-middle', 'jpeg-exif-thumbnail damaged-middle']);

describe('checkImageComplete agrees with PIL on PNG and JPEG', () => {
  it.each(cases.filter((c) => !DECODE_ONLY.has(c.name)).map((c) => [c.name, c] as const))(
    '%s',
    async (_, c) => {
      const verdict = await checkImageComplete(Buffer.from(c.bytes, 'base64'));
      expect(verdict === undefined).toBe(c.pil_loads);
    },
  );

  it('covers the planted variants: whole, cut, without its end, padded and damaged', () => {
    expect(cases.length).toBeGreaterThanOrEqual(80);
    expect(cases.filter((c) => c.pil_loads).length).toBeGreaterThan(20);
    expect(cases.filter((c) => !c.pil_loads).length).toBeGreaterThan(40);
  });

  it('names the reason: truncated or damaged, and leaves other formats to a decode', async () => {
    const png = Buffer.from(cases.find((c) => c.name === 'png-rgb whole')?.bytes ?? '', 'base64');
    expect(await checkImageComplete(png.subarray(0, png.length / 2))).toBe('truncated');
    const damaged = Buffer.from(
      cases.find((c) => c.name === 'png-rgb damaged-middle')?.bytes ?? '',
      'base64',
    );
    expect(await checkImageComplete(damaged)).toBe('damaged');
    expect(await checkImageComplete(Buffer.from('GIF89a'))).toBe('unknown');
  });
});

describe('checkImageComplete on hostile PNGs', () => {
  it('does not inflate a small file that claims far more data than its rows', async () => {
    const { deflateSync, crc32 } = await import('node:zlib');
    const chunk = (type: string, body: Uint8Array) => {
      const head = Buffer.alloc(8);
      head.writeUInt32BE(body.length, 0);
      head.write(type, 4, 'latin1');
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, 'latin1'), body])), 0);
      return Buffer.concat([head, body, crc]);
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(16, 0);
    ihdr.writeUInt32BE(16, 4);
    ihdr.set([8, 2, 0, 0, 0], 8);
    // 16×16 RGB needs 16 × 49 bytes; this stream inflates to 64 MiB of zeros from ~64 KiB.
    const bomb = deflateSync(Buffer.alloc(64 * 2 ** 20), { level: 9 });
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', bomb),
      chunk('IEND', new Uint8Array()),
    ]);
    expect(await checkImageComplete(png)).toBe('unknown');
  });
});
