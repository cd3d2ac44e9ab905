import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScriptedTaskJudge } from '../testing/scripted-task-judge.js';
import { CachedTaskJudge, taskPromptVersion } from './cached-task-judge.js';
import { TASK_PROMPTS } from './task-prompts.js';

describe('cached task judge', () => {
  it('answers a task it has seen from the cache, across reopenings, per temperature and prompt version', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'deepeyes-task-cache-')), 'judge-cache.sqlite');
    const version = taskPromptVersion(TASK_PROMPTS);
    const task = { kind: 'match-yes-no' as const, question: 'Is it red?', prediction: 'Nope' };
    const first = new CachedTaskJudge(
      new ScriptedTaskJudge({ 'match-yes-no': ['No', 'Unknown'] }),
      path,
      version,
    );
    expect(await first.ask(task, { temperature: 0 })).toBe('No');
    expect(await first.ask(task, { temperature: 0.5 })).toBe('Unknown');
    first.close();
    // Reopened with a judge that has nothing scripted: every answer must come from the cache.
    const again = new CachedTaskJudge(new ScriptedTaskJudge(), path, version);
    expect(await again.ask(task, { temperature: 0 })).toBe('No');
    expect(await again.ask(task, { temperature: 0.5 })).toBe('Unknown');
    expect(again.stats).toEqual({ hits: 2, misses: 0 });
    again.close();
    const otherPrompts = new CachedTaskJudge(
      new ScriptedTaskJudge({ 'match-yes-no': ['Yes'] }),
      path,
      'custom',
    );
    expect(await otherPrompts.ask(task, { temperature: 0 })).toBe('Yes');
    otherPrompts.close();
  });
});
