import { describe, expect } from 'vitest';
import { scriptedTest } from './scripted-test.js';

describe('scripted fixture', () => {
  scriptedTest('should hand out scripted models that answer in order', async ({ scripted }) => {
    const model = scripted(['one', 'two'], { label: 'fixture' });
    expect(model.name).toBe('scripted:fixture');
    expect((await model.complete({ messages: [] })).text).toBe('one');
    expect((await model.complete({ messages: [] })).text).toBe('two');
  });

  // The fixture's teardown fails this test: one reply was never asked for. `fails` turns that
  // expected failure into a pass, and would fail if the check were missing.
  scriptedTest.fails('should fail a test that leaves scripted replies unused', async ({ scripted }) => {
    const model = scripted(['used', 'never used']);
    await model.complete({ messages: [] });
  });
});
