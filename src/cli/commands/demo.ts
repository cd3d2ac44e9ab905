import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { z } from 'zod';
import { runAgent } from '../../agent/run-agent.js';
import { writeTrajectory } from '../../agent/write-trajectory.js';
import { InputFormatError } from '../../errors.js';
import { agentOptionsFromFlags, openAgentDependencies } from '../agent-setup.js';
import type { CliIO } from '../io.js';
import { eventPrinter } from '../render-events.js';
import { agentFlagsSchema } from './run-options.js';

/** The bundled demo lives in assets/demo: pictures we drew, a replay library, and the search assets. */
export const DEMO_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../assets/demo');

const exampleSchema = z.object({
  id: z.string(),
  title: z.string(),
  images: z.array(z.string()).min(1),
  question: z.string(),
  expected: z.string(),
});
export type DemoExample = z.infer<typeof exampleSchema>;

export async function loadDemoExamples(dir = DEMO_DIR): Promise<DemoExample[]> {
  const path = join(dir, 'examples.json');
  const parsed = z.array(exampleSchema).safeParse(JSON.parse(await readFile(path, 'utf8')));
  if (!parsed.success)
    throw new InputFormatError('demo-examples', `${path} is malformed: ${parsed.error.message}`);
  return parsed.data;
}

export type DemoResult = {
  id: string;
  answer: string | null;
  expected: string;
  correct: boolean;
  trajectoryPath: string;
  toolCalls: number;
};

/**
 * `deepeyes demo`: the bundled examples end to end with a replayed model (recorded turns, no weights)
 * and the real sandbox and offline search tools, so every code call really runs.
 */
export async function demoCommand(
  rawFlags: { out?: string; only?: string },
  io: CliIO,
): Promise<DemoResult[]> {
  const examples = (await loadDemoExamples()).filter(
    (example) => !rawFlags.only || example.id === rawFlags.only,
  );
  const flags = agentFlagsSchema.parse({
    replay: join(DEMO_DIR, 'replay.jsonl'),
    mode: 'agent',
    profile: 'deepeyesv2',
    codeRepair: 'auto',
    searchCacheMode: 'off',
  });
  const options = await agentOptionsFromFlags(flags);
  const setup = await openAgentDependencies(flags, io);
  const outDir = resolve(rawFlags.out ?? 'runs/demo');
  const results: DemoResult[] = [];
  io.out(
    'deepeyes demo: a REPLAYED model (recorded turns from assets/demo/replay.jsonl, no weights) driving the real sandbox and search tools\n',
  );
  for (const line of setup.describe) io.out(`  ${line}\n`);
  try {
    for (const example of examples) {
      io.out(`\n━━ ${example.title} ━━\n`);
      const images = await Promise.all(
        example.images.map(async (path) => new Uint8Array(await readFile(join(DEMO_DIR, path)))),
      );
      const run = await runAgent(
        { id: example.id, question: example.question, images },
        setup.dependencies,
        options,
        {
          onEvent: eventPrinter(io),
        },
      );
      const trajectoryPath = await writeTrajectory(join(outDir, example.id), run.trajectory, run.files);
      const answer = run.trajectory.answer;
      results.push({
        id: example.id,
        answer,
        expected: example.expected,
        correct: answer !== null && answer.trim().toLowerCase() === example.expected.toLowerCase(),
        trajectoryPath,
        toolCalls: run.trajectory.turns.filter((turn) => turn.toolCall).length,
      });
      io.out(`trajectory: ${trajectoryPath}\n`);
    }
  } finally {
    await setup.close();
  }
  io.out('\n━━ summary ━━\n');
  for (const result of results) {
    io.out(
      `${result.correct ? '✓' : '✗'} ${result.id.padEnd(16)} answer ${JSON.stringify(result.answer)} (expected ${JSON.stringify(result.expected)}), ${result.toolCalls} tool call(s)\n`,
    );
  }
  io.out(
    '\nTo use a live model instead of the replay, serve the DeepEyesV2 weights with vLLM and point deepeyes at it:\n' +
      '  vllm serve honglyhly/DeepEyesV2_7B_1031 --port 8000 --max-model-len 32768 --limit-mm-per-prompt image=12\n' +
      `  deepeyes run --model http://localhost:8000/v1 --image ${join(DEMO_DIR, 'images/loading-bay.png')} --question "What number is on the small blue tag?"\n`,
  );
  return results;
}

export function registerDemoCommand(program: Command, io: CliIO): void {
  program.addCommand(
    new Command('demo')
      .description(
        'run the bundled examples end to end (replayed model, real sandbox and search) and write their trajectories',
      )
      .option('--out <dir>', 'where trajectories are written', 'runs/demo')
      .option('--only <id>', 'run one example by id')
      .action(async (flags) => {
        const results = await demoCommand(flags, io);
        if (results.some((result) => !result.correct)) process.exitCode = 1;
      }),
  );
}
