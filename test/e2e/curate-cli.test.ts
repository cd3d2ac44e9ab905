import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetMetadata, parquetReadObjects, parquetSchema } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIO } from '../../src/cli/io.js';
import { buildProgram } from '../../src/cli/main.js';
import { type CurationSample, makeCurationSample } from '../../src/curate/testing/make-curation-sample.js';
import {
  type FakeChatRequest,
  type FakeOpenAIServer,
  startFakeOpenAIServer,
} from '../../src/model/testing/fake-openai-server.js';
import { checkSftExport } from '../../src/train/sft/check-export.js';

/** The question text of a request (the first user turn). */
function question(request: FakeChatRequest): string {
  const user = request.messages.find((message) => message.role === 'user');
  return typeof user?.content === 'string'
    ? user.content
    : (user?.content ?? []).map((part) => (part.type === 'text' ? part.text : '')).join('');
}
const answerOf = (text: string) => String(100 + Number(/picture (\d+)/u.exec(text)?.[1] ?? -93));

/**
 * Scripted models (labelled as such) behind one real HTTP server: the student solves [easy] items
 * always and [toolable] ones only with tools; "good" crops in the real kernel and answers; "sloppy"
 * skips the think block.
 */
function reply(request: FakeChatRequest): string {
  const text = question(request);
  if (request.model === 'sloppy') return `<answer>${answerOf(text)}</answer>`;
  if (request.model === 'good') {
    const observed = request.messages.length > 3;
    return observed
      ? `<think>The crop shows it.</think>\n<answer>${answerOf(text)}</answer>`
      : '<think>Crop first.</think>\n<code>\n```python\nprint(image_1.size)\n```\n</code>';
  }
  const tools = request.stop !== undefined;
  const right = text.includes('[easy]') || (tools && text.includes('[toolable]'));
  return `<think>looking</think>\n<answer>${right ? answerOf(text) : 'no idea'}</answer>`;
}

describe('deepeyes curate run on 207 generated rows (scripted models over HTTP, real kernel)', () => {
  let directory: string;
  let sample: CurationSample;
  let server: FakeOpenAIServer;
  let out: string;
  const io = memoryIO();
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'curate-cli-'));
    sample = await makeCurationSample(join(directory, 'data'), 201);
    server = await startFakeOpenAIServer({ models: ['student', 'good', 'sloppy'], reply });
    const longCot = Array.from({ length: 300 }, (_, index) =>
      JSON.stringify({
        messages: [
          { role: 'user', content: `Prove ${index}.` },
          { role: 'assistant', content: `<think>${'so '.repeat(30)}</think>\n<answer>${index}</answer>` },
        ],
      }),
    );
    await writeFile(join(directory, 'long-cot.jsonl'), `${longCot.join('\n')}\n`);
    out = join(directory, 'out');
    const yaml = [
      'out: out',
      'concurrency: 16',
      'sources:',
      `  - path: ${sample.sourcePath}`,
      'clean:',
      `  decontaminate: [${sample.benchmarkPath}]`,
      `student: {url: ${server.url}, model: student}`,
      'difficulty: {k: 2, maxPasses: 1}',
      'toolBenefit: {k: 2}',
      'teachers:',
      `  - {name: sloppy, url: ${server.url}, model: sloppy}`,
      `  - {name: good, url: ${server.url}, model: good}`,
      'teacher: {maxAttempts: 2}',
      'sftExport:',
      '  extra: [{path: long-cot.jsonl}]',
    ].join('\n');
    await writeFile(join(directory, 'curate.yaml'), `${yaml}\n`);
    await (await buildProgram(io))
      .exitOverride()
      .parseAsync(['curate', 'run', '--config', join(directory, 'curate.yaml')], { from: 'user' });
  }, 240_000);
  afterAll(async () => {
    await server?.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('should count every stage and drop the planted rows with their reasons', async () => {
    expect(process.exitCode ?? 0).toBe(0);
    const report = await readFile(join(out, 'report.md'), 'utf8');
    expect(report).toContain('| ingest: broken rows |  | 2 |');
    expect(report).toContain('| ingest | 205 | 0 |');
    expect(report).toContain('| clean | 201 | 4 |');
    expect(report).toContain('| difficulty | 134 | 67 |');
    expect(report).toContain('| tool-benefit | 134 | 0 |');
    expect(report).toContain('| teachers | 67 | 0 |');
    for (const reason of ['duplicate-exact', 'duplicate-near', 'contaminated', 'image-too-small', 'too-easy'])
      expect(report).toMatch(new RegExp(`\\| ${reason} \\| \\d+ \\|`, 'u'));
    expect(report).toContain('| sloppy | 67 | 0 | 0.0 % |');
    expect(report).toContain('| good | 67 | 67 | 100.0 % |');
    expect(await readFile(join(out, 'report.html'), 'utf8')).toContain('<svg');
  });

  it('should write an SFT export at the paper mix that the train side accepts', async () => {
    const sft = join(out, 'sft');
    // Cold-start pool: 23 perception, 22 reasoning, 22 search; long-CoT 300. Reasoning binds at
    // 22 / 0.096 = 229: long-CoT 187, reasoning 22, perception 19, search 2.
    const manifest = JSON.parse(await readFile(join(sft, 'export-manifest.json'), 'utf8'));
    expect(manifest.mix.taken).toEqual({ perception: 19, reasoning: 22, search: 2, 'long-cot': 187 });
    expect(manifest.samples).toBe(230);
    const checked = checkSftExport(sft, { imageMaxPixels: 262144, cutoffLen: 20480, template: 'qwen2_vl' });
    expect(checked.datasets).toEqual(['deepeyes_sft']);
    expect(checked.mediaDir).toBe(join(sft, 'media'));
    expect(() =>
      checkSftExport(sft, { imageMaxPixels: 1_000_000, cutoffLen: 20480, template: 'qwen2_vl' }),
    ).toThrow(/image_max_pixels 1000000 differs/u);
  });

  it('should write both RL layouts at the paper mix with exact columns and types, row by row', async () => {
    // RL pool: 23 perception, 22 reasoning, 22 search; perception binds at 23 / 0.519 = 44.
    const expected = { perception: 23, reason: 18, search: 3 };
    for (const layout of ['deepeyesv2', 'verl'] as const) {
      const file = await readFile(join(out, 'rl', `rl-${layout}.parquet`));
      const buffer = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
      const schema = parquetSchema(parquetMetadata(buffer));
      const last = layout === 'deepeyesv2' ? 'env_name' : 'agent_name';
      expect(schema.children.map((child) => child.element.name)).toEqual([
        'data_source',
        'prompt',
        'images',
        'reward_model',
        'extra_info',
        last,
      ]);
      const rows = await parquetReadObjects({ file: buffer, utf8: true });
      const counts: Record<string, number> = {};
      for (const row of rows) {
        counts[row.data_source as string] = (counts[row.data_source as string] ?? 0) + 1;
        expect(Object.keys(row)).toHaveLength(6);
        const prompt = row.prompt as { role: string; content: string }[];
        expect(prompt).toHaveLength(1);
        expect(prompt[0]!.role).toBe('user');
        expect(prompt[0]!.content).toMatch(/^<image>\[toolable\] What is the code of picture \d+\?$/u);
        const images = row.images as { bytes: string; path: string }[];
        expect(images).toHaveLength(1);
        expect(images[0]!.path).toMatch(/^[0-9a-f]{64}\.png$/u);
        const groundTruth = (row.reward_model as { ground_truth: string }).ground_truth;
        expect(groundTruth).toBe(answerOf(prompt[0]!.content));
        const extra = row.extra_info as Record<string, unknown>;
        expect(extra.question).toBe(prompt[0]!.content.slice('<image>'.length));
        expect(typeof extra.index).toBe('string');
        if (layout === 'deepeyesv2') expect(row.env_name).toBe('deepeyes_v2');
        else {
          expect(row.agent_name).toBe('deepeyes_agent');
          expect(extra.tools_kwargs).toEqual({
            deepeyes: { create_kwargs: { ground_truth: groundTruth, data_source: row.data_source } },
          });
        }
      }
      expect(counts).toEqual(expected);
      // Image bytes are BYTE_ARRAY without a string annotation: read raw, they are the PNG file.
      const raw = await parquetReadObjects({ file: buffer, columns: ['images'], utf8: false });
      for (const row of raw) {
        const bytes = (row.images as { bytes: Uint8Array }[])[0]!.bytes;
        expect(bytes).toBeInstanceOf(Uint8Array);
        expect([...bytes.slice(0, 4)]).toEqual([137, 80, 78, 71]);
      }
    }
  });

  it('should name the bad key in a config error', async () => {
    await writeFile(join(directory, 'bad.yaml'), 'out: x\ndifficulty: {k: 0, maxPases: 1}\n');
    const errors = memoryIO();
    await expect(
      (await buildProgram(errors))
        .exitOverride()
        .parseAsync(['curate', 'difficulty', '--config', join(directory, 'bad.yaml')], { from: 'user' }),
    ).rejects.toThrow(
      /bad\.yaml is not valid:\ndifficulty\.k: Too small.*\ndifficulty\.maxPases: unknown key$/u,
    );
  });
});
