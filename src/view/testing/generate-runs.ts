import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import sharp from 'sharp';
import type { Trajectory, TurnRecord } from '../../agent/trajectory.js';
import { writeTrajectory } from '../../agent/write-trajectory.js';
import type { EvalItem } from '../../eval/eval-item.js';
import { itemDirectory } from '../../eval/runner/item-directory.js';
import { type ItemResult, RunStore } from '../../eval/runner/run-store.js';

/** Capability combinations cycled through by generated RealX-Bench-like items. */
const CAPABILITIES = ['perception', 'search', 'reason', 'perception+search+reason', 'perception+reason'];
const CATEGORIES = ['Daily Life', 'Media', 'Sports', 'Knowledge', 'Games'];

export type GeneratedRunOptions = {
  directory: string;
  items: number;
  model: string;
  /** Seed of which items are right: item i is right when (i * 7 + seed) % 10 < accuracyTenths. */
  seed: number;
  accuracyTenths: number;
  benchmark?: string;
  /** Leave the last N items pending (a run still being written). */
  pending?: number;
};

async function png(
  width: number,
  height: number,
  colour: { r: number; g: number; b: number },
): Promise<Uint8Array> {
  return sharp({ create: { width, height, channels: 3, background: colour } })
    .png()
    .toBuffer();
}

/**
 * Writes a generated `deepeyes eval` run with the real run store and trajectory writer: every third item
 * crops the image with code (one observation image), every fifth searches the web, a few fail with a
 * sandbox error. Labelled `scripted` in the model name; for viewer tests, screenshots and the benchmark.
 */
export async function generateEvalRun(options: GeneratedRunOptions): Promise<string> {
  mkdirSync(options.directory, { recursive: true });
  const store = openStore(options);
  const items = generatedItems(options);
  store.addItems(items);
  try {
    await writeItems(store, options, items, 0, options.items - (options.pending ?? 0));
  } finally {
    store.close();
  }
  return options.directory;
}

/**
 * Finishes the next `count` pending items of a run written with `pending` (the same options), as a
 * running `deepeyes eval` would: for tests of a viewer following a run that is still being written.
 */
export async function finishPendingItems(options: GeneratedRunOptions, count: number): Promise<void> {
  const store = RunStore.openExisting(options.directory);
  try {
    const items = generatedItems(options);
    const pending = new Set(
      store
        .items()
        .filter((item) => item.status === 'pending')
        .map((item) => item.id),
    );
    const first = items.findIndex((item) => pending.has(item.id));
    if (first < 0) return;
    await writeItems(store, options, items, first, Math.min(items.length, first + count));
  } finally {
    store.close();
  }
}

function openStore(options: GeneratedRunOptions): RunStore {
  return RunStore.open(
    options.directory,
    {
      benchmark: options.benchmark ?? 'realx-bench',
      dataPath: 'generated.jsonl',
      models: [options.model],
      mode: 'agent',
      seed: 0,
      shuffleOptions: false,
      judge: null,
      scoring: { mode: 'deepeyes', judge: null },
      extra: { profile: 'deepeyesv2' },
    },
    { resume: false },
  );
}

function generatedItems(options: GeneratedRunOptions): EvalItem[] {
  const benchmark = options.benchmark ?? 'realx-bench';
  return Array.from({ length: options.items }, (_, index) => {
    const capabilities = CAPABILITIES[index % CAPABILITIES.length]!;
    return {
      id: `q${String(index).padStart(5, '0')}`,
      rowNumber: index,
      benchmark,
      question: `What is the colour of object ${index} in the ${index % 2 ? 'left' : 'right'} corner?`,
      prompt: `What is the colour of object ${index}?`,
      answer: `colour-${index % 13}`,
      category: CATEGORIES[index % CATEGORIES.length]!,
      groups: { category: CATEGORIES[index % CATEGORIES.length]!, capabilities },
      meta: {},
      loadImages: async () => [],
    };
  });
}

async function writeItems(
  store: RunStore,
  options: GeneratedRunOptions,
  items: readonly EvalItem[],
  from: number,
  to: number,
): Promise<void> {
  const input = await png(64, 48, { r: 200, g: 120, b: 40 });
  const crop = await png(32, 24, { r: 20, g: 160, b: 90 });
  for (let index = from; index < to; index++) {
    const item = items[index]!;
    const right = (index * 7 + options.seed) % 10 < options.accuracyTenths;
    const usesCode = index % 3 === 0;
    const usesSearch = index % 5 === 0;
    const failed = index % 97 === 96;
    const turns: TurnRecord[] = [];
    if (usesCode) {
      turns.push({
        index: turns.length,
        assistant: `<think>The object is small; zoom into the ${index % 2 ? 'left' : 'right'} corner.</think>\n<code>\n\`\`\`python\ncrop = image_1.crop((0, 0, 32, 24))\nplt.imshow(crop); plt.show()\nprint("cropped", crop.size)\n\`\`\`\n</code>`,
        finishReason: 'stop',
        action: 'code',
        toolCall: {
          tool: 'code',
          code: 'crop = image_1.crop((0, 0, 32, 24))\nplt.imshow(crop); plt.show()\nprint("cropped", crop.size)',
          codeRun: 'crop = image_1.crop((0, 0, 32, 24))',
          status: 'ok',
          stdout: `cropped (32, 24) marker${index}`,
          stderr: index % 6 === 0 ? 'UserWarning: low contrast' : '',
          imageCount: 1,
        },
        observation: `Code execution result:\nstdout:\n\`\`\`\ncropped (32, 24) marker${index}\n\`\`\`\nImages:\n<image>`,
        observationImages: [{ path: 'images/crop-1.png', width: 32, height: 24 }],
        promptTokens: 900,
        completionTokens: 60,
        modelMs: 400 + (index % 7) * 50,
        toolMs: 120,
      });
    }
    if (usesSearch) {
      turns.push({
        index: turns.length,
        assistant: `<think>Look it up.</think>\n<tool_call>\n{"name": "search", "arguments": {"query": "object ${index} colour"}}\n</tool_call>`,
        finishReason: 'stop',
        action: 'search',
        toolCall: { tool: 'search', query: `object ${index} colour`, provider: 'scripted', resultCount: 2 },
        observation: `<tool_response>\n1. Object ${index} catalogue (https://example.org/object/${index}): the object is colour-${index % 13}.\n2. Colour guide (https://example.org/colours): a list of colours.\n</tool_response>`,
        promptTokens: 1200,
        completionTokens: 40,
        modelMs: 300,
        toolMs: 200,
      });
    }
    const answer = right ? `colour-${index % 13}` : `colour-${(index + 1) % 13}`;
    if (!failed) {
      turns.push({
        index: turns.length,
        assistant: `<think>Reading the result, the answer is ${answer}.</think>\n<answer>${answer}</answer>`,
        finishReason: 'stop',
        action: 'answer',
        promptTokens: 1300,
        completionTokens: 30,
        modelMs: 250,
        toolMs: 0,
      });
    }
    const trajectory: Trajectory = {
      version: 1,
      id: item.id,
      model: options.model,
      mode: 'agent',
      profile: 'deepeyesv2',
      question: item.question,
      inputImages: [{ path: 'images/input-1.png', width: 64, height: 48 }],
      messages: [{ role: 'user', content: item.question }],
      turns,
      answer: failed ? null : answer,
      stopReason: failed ? 'sandbox-error' : 'answer',
      ...(failed ? { error: 'kernel died' } : {}),
      startedAt: new Date(0).toISOString(),
      durationMs: turns.reduce((sum, turn) => sum + turn.modelMs + turn.toolMs, 0),
      tokens: { prompt: 3400, completion: 130 },
    };
    const folder = itemDirectory(options.directory, item.id);
    const files = new Map<string, Uint8Array>([['images/input-1.png', input]]);
    if (usesCode) files.set('images/crop-1.png', crop);
    await writeTrajectory(folder, trajectory, files);
    const result: ItemResult = {
      status: failed ? 'error' : 'done',
      prediction: trajectory.answer,
      correct: failed ? null : right,
      score: failed
        ? null
        : { verifier: index % 4 === 0 ? 'judge' : 'exact', judgeVerdict: right ? 'A' : 'B' },
      error: failed ? 'kernel died' : null,
      errorKind: failed ? 'sandbox' : null,
      attempts: 1,
      trajectoryPath: relative(options.directory, join(folder, 'trajectory.json')),
      toolCalls: (usesCode ? 1 : 0) + (usesSearch ? 1 : 0),
      toolMix: { ...(usesCode ? { crop: 1 } : {}), ...(usesSearch ? { 'text-search': 1 } : {}) },
      turns: turns.length,
      durationMs: trajectory.durationMs,
      stopReason: trajectory.stopReason,
    };
    store.recordResult(item.id, result);
  }
}

/** A run directory whose run.sqlite is not a database, and one whose store has no configuration yet. */
export function writeBrokenRuns(root: string): { corrupt: string; halfWritten: string } {
  const corrupt = join(root, 'corrupt-run');
  mkdirSync(corrupt, { recursive: true });
  writeFileSync(join(corrupt, 'run.sqlite'), 'this is not a SQLite database, it was cut off mid-copy');
  const halfWritten = join(root, 'half-written');
  mkdirSync(halfWritten, { recursive: true });
  writeFileSync(join(halfWritten, 'run.sqlite'), '');
  return { corrupt, halfWritten };
}
