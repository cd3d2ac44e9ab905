import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { probeImage } from '../image/index.js';
import type { ChatRequest } from '../model/chat-model.js';
import { scriptedModels } from '../model/testing/scripted-test.js';
import { renderCodeObservation } from '../protocol/render-observation.js';
import { createRewardScorer } from '../reward/index.js';
import { sandboxTest } from '../sandbox/testing/sandbox-test.js';
import { runClean } from './clean/clean-stage.js';
import { DEFAULT_VERIFY_SETTINGS } from './clean/verify-item.js';
import type { CurationItem } from './curation-item.js';
import { qwen25Tokenizer } from './export/qwen-tokenizer.js';
import { runRlExport } from './export/rl-export-stage.js';
import { runSftExport } from './export/sft-export-stage.js';
import { DEFAULT_SFT_LIMITS, type SftSample, validateSftSample } from './export/validate-sft.js';
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

const CROP_CODE =
  'import matplotlib.pyplot as plt\nprint(image_1.size)\nplt.imshow(image_1.crop((0, 0, 48, 48)))\nplt.show()';

/**
 * Scripted teachers: "good" crops the picture in the real kernel, then answers right in format;
 * "sloppy" answers at once without the think block.
 */
function teacherReply(good: boolean) {
  return (request: ChatRequest) => {
    if (!good) return `<answer>${answerOf(read(request).question)}</answer>`;
    const last = request.messages.at(-1);
    const observed = last?.role === 'user' && JSON.stringify(last.content).includes('Code execution result');
    return observed
      ? `<think>The crop shows the code.</think>\n<answer>${answerOf(read(request).question)}</answer>`
      : `<think>Let me crop the corner.</think>\n<code>\n\`\`\`python\n${CROP_CODE}\n\`\`\`\n</code>`;
  };
}

// A real kernel for the teacher's code (started by the one test that asks for it) and scripted
// models whose scripts each test must use up.
const it = sandboxTest({ poolSize: 1 }).extend('scripted', scriptedModels);

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
    expect(bad.find((row) => row.row === 35)?.reason).toMatch(/not JSON/u);
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

  it('should keep hard items, split them by tool benefit and accept only valid teacher trajectories', async ({
    scripted,
    sandbox,
  }) => {
    const student = new CachedChatModel(scripted(studentReply, { label: 'student' }), store);
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
          dependencies: { model: scripted(teacherReply(false), { label: 'sloppy' }) },
          temperature: 0.7,
        }),
      },
      {
        name: 'good',
        runner: agentRollouts({
          dependencies: { model: scripted(teacherReply(true), { label: 'good' }), sandbox },
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

  it('should export accepted trajectories as validated sharegpt with the RL observation text and mix extra data', async () => {
    const extraPath = join(directory, 'long-cot.jsonl');
    const longCot = (index: number) =>
      JSON.stringify({
        messages: [
          { role: 'user', content: `Think long about ${index}.` },
          { role: 'assistant', content: `<think>${'step '.repeat(20)}</think>\n<answer>${index}</answer>` },
        ],
      });
    const oddTurns = JSON.stringify({ messages: [{ role: 'user', content: 'alone' }] });
    await writeFile(
      extraPath,
      `${[...Array.from({ length: 40 }, (_, index) => longCot(index)), oddTurns, '{broken'].join('\n')}\n`,
    );
    const out = join(directory, 'sft');
    const result = await runSftExport(
      {
        ...DEFAULT_SFT_LIMITS,
        out,
        datasetName: 'deepeyes_sft',
        template: 'qwen2_vl',
        shares: { 'long-cot': 0.8, perception: 0.1, reasoning: 0.1 },
        extra: [{ path: extraPath, category: 'long-cot' }],
      },
      context,
      { countTokens: (text) => qwen25Tokenizer().encode(text).length },
    );
    // 10 accepted teacher samples (4 perception, 3 reasoning, 3 search) and 40 valid long-CoT: the
    // mix is as large as the scarcest group allows, reasoning at 3 / 0.1 = 30 samples.
    expect(result.plan.available).toEqual({ perception: 4, reasoning: 3, search: 3, 'long-cot': 40 });
    expect(result.plan.take).toEqual({ perception: 3, reasoning: 3, search: 0, 'long-cot': 24 });
    expect(result.failures).toEqual([{ id: 'extra:long-cot.jsonl:41', problems: ['odd turn count 1'] }]);
    expect(store.badRows().some((row) => /long-cot\.jsonl line 42: not JSON/u.test(row.reason))).toBe(true);
    const drops = store.stageItems('sft-export', 'dropped').map((row) => row.reason);
    expect(drops.filter((reason) => reason === 'invalid-sample')).toHaveLength(1);
    expect(drops.filter((reason) => reason === 'mix-surplus')).toHaveLength(1 + 3 + 16);

    const samples = JSON.parse(await readFile(join(out, 'deepeyes_sft.json'), 'utf8')) as SftSample[];
    expect(samples).toHaveLength(30);
    const teacherSample = samples[0]!;
    expect(teacherSample.messages.map((message) => message.role)).toEqual([
      'system',
      'user',
      'assistant',
      'user',
      'assistant',
    ]);
    expect(teacherSample.messages[1]!.content.startsWith('<image>')).toBe(true);
    // The tool result is a user turn carrying exactly the RL observation text, its image marker in place.
    expect(teacherSample.messages[3]!.content).toBe(
      renderCodeObservation({ stdout: '(84, 84)\n', stderr: '', imageCount: 1 }, 'deepeyesv2'),
    );
    expect(teacherSample.images).toHaveLength(2);
    for (const sample of samples) {
      const sizes = await Promise.all(
        sample.images.map(async (name) =>
          probeImage(new Uint8Array(await readFile(join(out, 'media', name)))),
        ),
      );
      expect(validateSftSample(sample, sizes, (text) => qwen25Tokenizer().encode(text).length)).toEqual([]);
    }
    const info = JSON.parse(await readFile(join(out, 'dataset_info.json'), 'utf8'));
    expect(info.deepeyes_sft).toMatchObject({ file_name: 'deepeyes_sft.json', formatting: 'sharegpt' });
    const manifest = JSON.parse(await readFile(join(out, 'export-manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({
      image_max_pixels: 262144,
      cutoff_len: 20480,
      media_dir: 'media',
      samples: 30,
    });
  });

  it('should export the RL pool in both verl layouts mixed to the target shares', async () => {
    const out = join(directory, 'rl');
    const result = await runRlExport(
      {
        out,
        layouts: ['deepeyesv2', 'verl'],
        shares: { perception: 0.5, reasoning: 0.5 },
        agentName: 'deepeyes_agent',
      },
      context,
    );
    // RL pool: the 10 toolable items, 4 perception, 3 reasoning, 3 search; reasoning binds at 3 / 0.5.
    expect(result.plan.take).toEqual({ perception: 3, reasoning: 3, search: 0 });
    for (const layout of ['deepeyesv2', 'verl'] as const) {
      const file = await readFile(join(out, `rl-${layout}.parquet`));
      const rows = await parquetReadObjects({
        file: file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength),
        utf8: true,
      });
      expect(rows).toHaveLength(6);
      expect(rows.map((row) => row.data_source).sort()).toEqual([
        'perception',
        'perception',
        'perception',
        'reason',
        'reason',
        'reason',
      ]);
    }
  });

  it('should cost no model call when a stage is rerun with the same settings on a fresh store', async ({
    scripted,
  }) => {
    store.database.exec(
      "DELETE FROM stage_items WHERE stage = 'difficulty'; DELETE FROM stage_runs WHERE stage = 'difficulty'; DELETE FROM rollouts",
    );
    const inner = scripted(studentReply, { label: 'student' });
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
