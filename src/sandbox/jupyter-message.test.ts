import { describe, expect, it } from 'vitest';
import { createMessageSigner } from './jupyter-message.js';

describe('Jupyter wire messages', () => {
  it('round-trips a signed message and links replies to requests by parent id', () => {
    const signer = createMessageSigner('secret-key');
    const { msgId, frames } = signer.encode('execute_request', { code: '1' });
    const decoded = signer.decode([Buffer.from('routing-id'), ...frames]);
    expect(decoded.header).toMatchObject({ msg_id: msgId, msg_type: 'execute_request', version: '5.3' });
    expect(decoded.content).toEqual({ code: '1' });
  });

  it('rejects a message signed with another key or altered in transit', () => {
    const { frames } = createMessageSigner('other-key').encode('status', { execution_state: 'idle' });
    expect(() => createMessageSigner('secret-key').decode(frames)).toThrow(/signature/);
    const signer = createMessageSigner('secret-key');
    const genuine = signer.encode('stream', { name: 'stdout', text: 'a' }).frames;
    const altered = [...genuine.slice(0, 5), Buffer.from(JSON.stringify({ name: 'stdout', text: 'b' }))];
    expect(() => signer.decode(altered)).toThrow(/signature/);
    expect(() => signer.decode([Buffer.from('no delimiter')])).toThrow(/malformed/);
  });
});
