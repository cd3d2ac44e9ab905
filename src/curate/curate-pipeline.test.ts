import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatRequest } from '../model/chat-model.js';
import { ScriptedChatModel } from '../model/scripted-chat-model.js';
import { createRewardScorer } from '../reward/index.js';
import { runClean } from './clean/clean-stage.js';
import { DEFAULT_VERIFY_SETTINGS } from './clean/verify-item.js';
import type { CurationItem } from './curation-item.js';
import { runIngest } from './ingest/ingest-stage.js';
import type { StageContext } from './pipeline/stage-context.js';
import { runDifficulty } from './rollout/difficulty-stage.js';
import { agentRollouts } from './rollout/rollout-runner.js';
import { runToolBenefit } from './rollout/tool-benefit-stage.js';
import { CachedChatModel } from './store/cached-chat-model.js';
import { CurationStore } from './store/curation-store.js';
import { ImageStore } from './store/image-store.js';
import { runTeachers } from './teachers/teacher-stage.js';
import { type CurationSample, makeCurationSample } from './testing/make-curation-sample.js';

/** The question's last user text and whether the request came with tools (stop strings set). */
function read(request: ChatRequest): { question: string; tools: boolean } {
  const user = request.messages.find((message) => message.role === 'user');
  const text =
    typeof user?.content === 'string'
      ? user.content
      : (user?.content ?? []).map((part) => (part.type === 'text' ? part.text : '')).join('');
  return { question: text, tools: request.stop !== undefined };
}

function answerOf(question: string): string {
  const picture = /picture (\d+)/u.exec(question)?.[1];
  return picture === undefined ? '7' : String(100 + Number(picture));
}

/** Scripted student: easy items always right; toolable only with tools; hard never. */
function studentReply(request: ChatRequest): string {
  const { question, tools } = read(request);
  const right = question.includes('[easy]') || (tools && question.includes('[toolable]'));
  return `<think>looking</think>\n<answer>${right ? answerOf(question) : 'no idea'}</answer>`;
}

/** Scripted teachers: "good" answers right in format; "sloppy" forgets the think block. */
function teacherReply(good: boolean) {
  return (request: ChatRequest) =>
    good
      ? `<think>I read the code.</think>\n<answer>${answerOf(read(request).question)}</answer>`
      : `<answer>${answerOf(read(request).question)}</answer>`;
}

describe('curation pipeline on generated data (scripted models)', () => {
  let directory: string;
  let sample: CurationSample;
  let store: CurationStore;
  let context: StageContext;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'curate-'));
    sample = await makeCurationSample(join(directory, 'data'), 30);
    store = new CurationStore(join(directory, 'out'));
    context = { store, images: new ImageStore(store), concurrency: 8 };
  });
  afterAll(async () => {
    store.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('should ingest rows and report broken rows with file and line', async () => {
    const outcome = await runIngest({ sources: [{ path: sample.sourcePath, fields: {} }] }, context);
    expect(outcome.kept).toBe(sample.counts.rows - sample.counts.broken);
    const bad = store.badRows();
    expect(bad).toHaveLength(2);
    expect(bad.map((row) => row.reason).join('\n')).toMatch(/line 35: not JSON/u);
    expect(bad.every((row) => row.file === sample.sourcePath)).toBe(true);
    const item = store.stageItems('ingest', 'kept')[0]!.data as CurationItem;
    expect(item).toMatchObject({ id: 'source:q0', category: 'perception', answerType: 'number' });
  });

  it('should drop duplicates, contaminated and tiny-image items with their reasons', async () => {
    const outcome = await runClean(
      {
        verify: DEFAULT_VERIFY_SETTINGS,
        rewriteModel: null,
        maxHashDistance: 6,
        decontaminate: [sample.benchmarkPath],
      },
      context,
    );
    expect(outcome.kept).toBe(30);
    const drops = Object.fromEntries(store.stageItems('clean', 'dropped').map((row) => [row.id, row.reason]));
    expect(drops).toEqual({
      'source:dup-exact': 'duplicate-exact',
      'source:dup-near': 'duplicate-near',
      'source:contaminated': 'contaminated',
      'source:tiny': 'image-too-small',
    });
  });

  it('should keep hard items, split them by tool benefit and accept only valid teacher trajectories', async () => {
    const student = new CachedChatModel(new ScriptedChatModel(studentReply, { label: 'student' }), store);
    const scorer = createRewardScorer();
    const base = { k: 4, temperature: 1, seed: 0, judge: null, maxAttempts: 2, agent: {} };
    const runner = agentRollouts({ dependencies: { model: student }, temperature: 1 });
    const difficulty = await runDifficulty({ ...base, maxPasses: 1 }, context, { runner, scorer });
    expect(difficulty).toMatchObject({ kept: 20, dropped: 10, finished: true });
    expect(student.misses).toBe(30 * 4);
    const benefit = await runToolBenefit({ ...base, minPassesForRl: 1 }, context, { runner, scorer });
    expect(benefit.kept).toBe(20);
    const pools = store.stageItems('tool-benefit', 'kept').map((row) => (row.data as CurationItem).pool);
    expect(pools.filter((pool) => pool === 'rl')).toHaveLength(10);
    expect(pools.filter((pool) => pool === 'cold-start')).toHaveLength(10);

    const teachers = [
      {
        name: 'sloppy',
        runner: agentRollouts({
          dependencies: { model: new ScriptedChatModel(teacherReply(false), { label: 'sloppy' }) },
          temperature: 0.7,
        }),
      },
      {
        name: 'good',
        runner: agentRollouts({
          dependencies: { model: new ScriptedChatModel(teacherReply(true), { label: 'good' }) },
          temperature: 0.7,
        }),
      },
    ];
    const taught = await runTeachers(
      {
        teachers: ['sloppy', 'good'],
        maxAttempts: 2,
        temperature: 0.7,
        seed: 0,
        judge: null,
        acceptance: { maxTurns: 9, maxAnswerChars: 300 },
        retries: 2,
        agent: {},
      },
      context,
      { teachers, scorer },
    );
    expect(taught).toMatchObject({ kept: 10, dropped: 0, finished: true });
    const detail = store.stageItems('teachers', 'kept')[0]!.detail!;
    expect(detail).toMatch(/^sloppy: format-invalid.*; good: accepted$/u);
  });

  it('should cost no model call when a stage is rerun with the same settings on a fresh store', async () => {
    store.database.exec(
      "DELETE FROM stage_items WHERE stage = 'difficulty'; DELETE FROM stage_runs WHERE stage = 'difficulty'; DELETE FROM rollouts",
    );
    const inner = new ScriptedChatModel(studentReply, { label: 'student' });
    const student = new CachedChatModel(inner, store);
    const runner = agentRollouts({ dependencies: { model: student }, temperature: 1 });
    const outcome = await runDifficulty(
      { k: 4, temperature: 1, seed: 0, judge: null, maxAttempts: 2, agent: {}, maxPasses: 1 },
      context,
      { runner, scorer: createRewardScorer() },
    );
    expect(outcome.kept).toBe(20);
    expect(inner.requests).toHaveLength(0);
    expect(student.hits).toBe(120);
  });
});
