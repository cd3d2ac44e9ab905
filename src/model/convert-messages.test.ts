import { describe, expect, it } from 'vitest';
import type { ModelImage } from '../protocol/chat-message.js';
import { convertMessages, DataUriCache } from './convert-messages.js';

const image = (id: string, bytes: number[]): ModelImage => ({
  id,
  mimeType: 'image/jpeg',
  bytes: new Uint8Array(bytes),
  width: 1,
  height: 1,
});

describe('convertMessages', () => {
  it('keeps text content as strings and joins text-only parts', () => {
    const converted = convertMessages(
      [
        { role: 'system', content: 'You are helpful.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Hello, ' },
            { type: 'text', text: 'world' },
          ],
        },
      ],
      new DataUriCache(),
    );
    expect(converted).toEqual([
      { role: 'system', content: 'You are helpful.' },
      { role: 'user', content: 'Hello, world' },
    ]);
  });

  it('puts each image where its placeholder was, as a data URI', () => {
    const converted = convertMessages(
      [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Code execution result: …\n\nImages:\n' },
            { type: 'image', image: image('obs-1', [255, 216]) },
            { type: 'image', image: image('obs-2', [0]) },
          ],
        },
      ],
      new DataUriCache(),
    );
    expect(converted[0]?.content).toEqual([
      { type: 'text', text: 'Code execution result: …\n\nImages:\n' },
      { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9g=' } },
      { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,AA==' } },
    ]);
  });

  it('encodes an image once however many turns resend it', () => {
    const cache = new DataUriCache();
    const input = image('input-1', [1, 2, 3]);
    const messages = [{ role: 'user' as const, content: [{ type: 'image' as const, image: input }] }];
    for (let turn = 0; turn < 5; turn++) convertMessages(messages, cache);
    expect(cache.encodedCount).toBe(1);
  });

  it('does not mix up two runs whose images share an id', () => {
    const cache = new DataUriCache();
    const first = cache.dataUri(image('input-1', [1]));
    const second = cache.dataUri(image('input-1', [2]));
    expect(first).not.toBe(second);
    expect(cache.encodedCount).toBe(2);
  });

  it('encodes only the bytes of a view into a larger buffer', () => {
    const backing = new Uint8Array([9, 9, 1, 2, 3, 9]);
    const view: ModelImage = { ...image('v', []), bytes: backing.subarray(2, 5) };
    expect(new DataUriCache().dataUri(view)).toBe('data:image/jpeg;base64,AQID');
  });

  it('refuses images outside user messages', () => {
    expect(() =>
      convertMessages(
        [{ role: 'assistant', content: [{ type: 'image', image: image('x', [1]) }] }],
        new DataUriCache(),
      ),
    ).toThrow(/only user messages may carry images/);
  });
});
