import { describe, expect, it } from 'vitest';
import { encodeStreamFrames, StreamFrameReader } from './stream-frames.js';

const message = (...parts: string[]) => parts.map((part) => Buffer.from(part));
const text = (frames: Buffer[][]) => frames.map((frames) => frames.map((frame) => frame.toString()));

describe('stream frames', () => {
  it('round-trips messages split and joined at every byte boundary', () => {
    const first = Buffer.concat(encodeStreamFrames(message('<IDS|MSG>', 'sig', '{"a":1}', '')));
    const second = Buffer.concat(encodeStreamFrames(message('x')));
    const stream = Buffer.concat([first, second]);
    for (let cut = 0; cut <= stream.length; cut += 1) {
      const reader = new StreamFrameReader();
      const got = [...reader.push(stream.subarray(0, cut)), ...reader.push(stream.subarray(cut))];
      expect(text(got)).toEqual([['<IDS|MSG>', 'sig', '{"a":1}', ''], ['x']]);
    }
  });

  it('keeps a message that arrives one byte at a time', () => {
    const reader = new StreamFrameReader();
    const bytes = Buffer.concat(encodeStreamFrames(message('hello', 'world')));
    const got: Buffer[][] = [];
    for (const byte of bytes) got.push(...reader.push(Buffer.from([byte])));
    expect(text(got)).toEqual([['hello', 'world']]);
  });

  it('writes a large frame as it is, between the small ones, and reads it back whole', () => {
    const big = Buffer.alloc(200_000, 'b');
    const pieces = encodeStreamFrames([Buffer.from('head'), big, Buffer.from('tail')]);
    expect(pieces).toHaveLength(3);
    expect(pieces[1]).toBe(big);
    const got = new StreamFrameReader().push(Buffer.concat(pieces));
    expect(got.map((frames) => frames.map((frame) => frame.length))).toEqual([[4, 200_000, 4]]);
    expect(got[0]![1]!.equals(big)).toBe(true);
  });

  it('refuses a frame length no real message has', () => {
    const reader = new StreamFrameReader();
    const bogus = Buffer.alloc(8);
    bogus.writeUInt32LE(1, 0);
    bogus.writeUInt32LE(0xffffffff, 4);
    expect(() => reader.push(bogus)).toThrow(/larger than/);
  });
});
