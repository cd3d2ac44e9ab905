import { describe, expect } from 'vitest';
import { runAgent } from '../../agent/run-agent.js';
import { scriptedTest as it } from '../../model/testing/scripted-test.js';
import type { Execution, Sandbox } from '../../sandbox/sandbox.js';
import type { CurationItem } from '../curation-item.js';
import { patternImage } from '../testing/make-curation-sample.js';
import { agentRollouts } from './rollout-runner.js';

const ANSWER = '<think>Plain.</think>\n<answer>7</answer>';
const CODE = '<think>Look.</think>\n<code>\n```python\nprint(image_1.size)\n```\n</code>';

/** A sandbox that counts sessions and answers every cell with a fixed output (no kernels). */
function countingSandbox(): Sandbox & { opened: number; closed: number; events: string[] } {
  const sandbox = {
    opened: 0,
    closed: 0,
    events: [] as string[],
    async openSession() {
      sandbox.opened++;
      sandbox.events.push('open');
      return {
        id: `s${sandbox.opened}`,
        async execute(): Promise<Execution> {
          sandbox.events.push('execute');
          const done: Execution = {
            stdout: '(96, 96)\n',
            stderr: '',
            images: [],
            status: 'ok',
            executionCount: 1,
            durationMs: 1,
            truncated: false,
          };
          return done;
        },
        async close() {
          sandbox.closed++;
        },
      };
    },
    async close() {},
  };
  return sandbox;
}

const item: CurationItem = {
  id: 'i1',
  source: 's',
  category: 'perception',
  answerType: 'number',
  question: 'What number?',
  answer: '7',
  images: [],
  origin: { file: 'f', row: 1 },
};

describe('agentRollouts sandbox sessions', () => {
  it('should open no session for a tool rollout that writes no code, and one at the first code call', async ({
    scripted,
  }) => {
    const images = [await patternImage(1)];
    const sandbox = countingSandbox();
    const noCode = scripted([ANSWER]);
    const runner = agentRollouts({ dependencies: { model: noCode, sandbox }, temperature: 1 });
    const plain = await runner.run({ item, images, tools: true, sample: 0 }, new AbortController().signal);
    expect(plain.trajectory.answer).toBe('7');
    expect(sandbox.opened).toBe(0);

    const withCode = scripted((request) => {
      // The session must not exist yet while the first call is in flight.
      if (request.messages.length === 2) expect(sandbox.opened).toBe(0);
      return request.messages.length === 2 ? CODE : ANSWER;
    });
    const codeRunner = agentRollouts({ dependencies: { model: withCode, sandbox }, temperature: 1 });
    const coded = await codeRunner.run(
      { item, images, tools: true, sample: 0 },
      new AbortController().signal,
    );
    expect(coded.trajectory.turns[0]?.toolCall).toMatchObject({ tool: 'code', stdout: '(96, 96)\n' });
    expect(sandbox.events).toEqual(['open', 'execute']);
    expect({ opened: sandbox.opened, closed: sandbox.closed }).toEqual({ opened: 1, closed: 1 });
  });

  it('should keep the agent loop opening eagerly by default, and let the rollouts ask for it', async ({
    scripted,
  }) => {
    const images = [await patternImage(2)];
    const sandbox = countingSandbox();
    const direct = await runAgent({ question: 'q', images }, { model: scripted([ANSWER]), sandbox });
    expect(direct.trajectory.answer).toBe('7');
    expect({ opened: sandbox.opened, closed: sandbox.closed }).toEqual({ opened: 1, closed: 1 });

    const eager = agentRollouts({
      dependencies: { model: scripted([ANSWER]), sandbox },
      agent: { sessionOpen: 'eager' },
      temperature: 1,
    });
    await eager.run({ item, images, tools: true, sample: 1 }, new AbortController().signal);
    expect(sandbox.opened).toBe(2);
  });
});
