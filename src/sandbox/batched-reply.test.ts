import { describe, expect, it } from 'vitest';
import { readBatchedReply } from './batched-reply.js';

describe('readBatchedReply', () => {
  it('returns the held outputs of a batched call in order', () => {
    const reply = readBatchedReply({
      deepeyes: {
        outputs: [
          ['stream', { name: 'stdout', text: '1\n' }],
          ['execute_result', { data: { 'text/plain': '2' } }],
        ],
        streamed: false,
      },
    });
    expect(reply.streamed).toBe(false);
    expect(reply.outputs.map(([type]) => type)).toEqual(['stream', 'execute_result']);
  });

  it('treats a reply without the extension as streamed, so IOPub is awaited', () => {
    expect(readBatchedReply({})).toEqual({ outputs: [], streamed: true });
    expect(readBatchedReply({ deepeyes: { outputs: 'x', streamed: false } })).toEqual({
      outputs: [],
      streamed: true,
    });
  });
});
