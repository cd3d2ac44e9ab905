import { createReadStream } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { z } from 'zod';
import { InputFormatError, UserError } from '../../errors.js';
import { limitConcurrency } from '../../reward/limit-concurrency.js';
import { rewardItemSchema, toRewardRequest } from '../../reward/reward-request-schema.js';
import type { RewardResult } from '../../reward/reward-result.js';
import { openRewardSetup, type RewardSetupConfig, type RewardSetupDeps } from '../../reward/reward-setup.js';
import { buildRewardServer } from '../../serve/reward-server.js';
import { type CliIO, processIO } from '../io.js';

const optionalNumber = z.coerce.number().optional();
const optionalInteger = z.coerce.number().int().positive().optional();

const sharedFlagsSchema = z.object({
  profile: z.enum(['deepeyesv2', 'upstream-rl']).default('deepeyesv2'),
  judgeUrl: z.string().optional(),
  judgeModel: z.string().optional(),
  judgeApiKey: z.string().optional(),
  judgePromptFile: z.string().optional(),
  judgeUserTemplateFile: z.string().optional(),
  mathJudgePromptFile: z.string().optional(),
  judgeCache: z.string().optional(),
  judgeTemperature: optionalNumber,
  judgeSeed: z.union([z.literal('random'), z.coerce.number().int()]).optional(),
  judgeMaxTokens: optionalInteger,
  judgeTimeoutMs: optionalInteger,
  judgeMaxAttempts: optionalInteger,
  judgeConcurrency: optionalInteger,
  sympy: z.boolean().default(true),
  unsafeNoIsolation: z.boolean().optional(),
});

function addSharedFlags(command: Command): Command {
  return command
    .option(
      '--profile <profile>',
      'deepeyesv2 (fixed upstream reward) | upstream-rl (upstream exactly, bugs included)',
      'deepeyesv2',
    )
    .option(
      '--judge-url <url[,url...]>',
      'OpenAI-compatible judge server(s); without one, rule verifiers decide',
    )
    .option('--judge-model <name>', 'judge model name (default: the first model the server lists)')
    .option('--judge-api-key <key>', 'API key for the judge server (default: $OPENAI_API_KEY)')
    .option(
      '--judge-prompt-file <file>',
      'Yes/No judge prompt: a JSON {system,user} file or a system prompt text (e.g. upstream verify_prompt.md)',
    )
    .option(
      '--judge-user-template-file <file>',
      'user template for a plain-text --judge-prompt-file ({question} {answer} {prediction})',
    )
    .option(
      '--math-judge-prompt-file <file>',
      'TRUE/FALSE math judge prompt: the whole user template ({query} {gold_ans} {pred_ans})',
    )
    .option(
      '--judge-cache <file>',
      'SQLite cache of judge verdicts (keyed by question, reference, prediction, model, prompt)',
    )
    .option('--judge-temperature <t>', 'judge temperature (deepeyesv2 default 0; upstream-rl 0.3 / 0.5)')
    .option('--judge-seed <n|random>', 'judge seed (deepeyesv2 default 0; upstream-rl random)')
    .option('--judge-max-tokens <n>', 'max_tokens of a Yes/No judgement (default 8192)')
    .option('--judge-timeout-ms <ms>', 'timeout of one judge call (default 120000)')
    .option('--judge-max-attempts <n>', 'calls per item while the verdict is unreadable (default 3)')
    .option('--judge-concurrency <n>', 'judge calls in flight (default 16)')
    .option('--no-sympy', 'do not start a sandbox for symbolic math equivalence')
    .option(
      '--unsafe-no-isolation',
      'run the sympy sandbox without bubblewrap (only where bwrap is unavailable)',
    );
}

function parseFlags<T extends z.ZodType>(schema: T, raw: unknown): z.infer<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new UserError('reward-flags', `Invalid reward options: ${z.prettifyError(parsed.error)}`, {
      hint: 'See deepeyes reward --help.',
    });
  }
  return parsed.data;
}

function setupConfig(flags: z.infer<typeof sharedFlagsSchema>): RewardSetupConfig {
  const judgeUrls = flags.judgeUrl
    ?.split(',')
    .map((url) => url.trim())
    .filter((url) => url !== '');
  const optional = <K extends string, V>(key: K, value: V | undefined) =>
    (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;
  return {
    profile: flags.profile,
    sympy: flags.sympy,
    ...optional('judgeUrls', judgeUrls),
    ...optional('judgeModel', flags.judgeModel),
    ...optional('judgeApiKey', flags.judgeApiKey),
    ...optional('judgePromptFile', flags.judgePromptFile),
    ...optional('judgeUserTemplateFile', flags.judgeUserTemplateFile),
    ...optional('mathJudgePromptFile', flags.mathJudgePromptFile),
    ...optional('judgeCachePath', flags.judgeCache),
    ...optional('judgeTemperature', flags.judgeTemperature),
    ...optional('judgeSeed', flags.judgeSeed),
    ...optional('judgeMaxTokens', flags.judgeMaxTokens),
    ...optional('judgeTimeoutMs', flags.judgeTimeoutMs),
    ...optional('judgeMaxAttempts', flags.judgeMaxAttempts),
    ...optional('judgeConcurrency', flags.judgeConcurrency),
    ...optional('unsafeNoIsolation', flags.unsafeNoIsolation),
  };
}

const fileFlagsSchema = sharedFlagsSchema.extend({
  input: z.string({ error: 'give the file to score with --input FILE.jsonl' }).min(1),
  output: z.string().optional(),
  concurrency: z.coerce.number().int().positive().default(16),
});

export type RewardFileSummary = {
  items: number;
  errors: number;
  mean_score: number;
  mean_acc: number;
  decided_by: Record<string, number>;
  judge: string | null;
  judge_cache: { hits: number; misses: number } | null;
  profile: string;
  rewards_per_second: number;
  output: string;
};

async function readItems(path: string): Promise<string[]> {
  const lines: string[] = [];
  try {
    const reader = createInterface({
      input: createReadStream(path, 'utf8'),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    for await (const line of reader) if (line.trim() !== '') lines.push(line);
  } catch (cause) {
    throw new UserError('reward-input-unreadable', `Cannot read ${path}.`, {
      cause,
      hint: 'Check the --input path.',
    });
  }
  return lines;
}

function parseLine(line: string, index: number) {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (cause) {
    throw new InputFormatError('reward-input-line', `Line ${index + 1} is not JSON.`, { cause });
  }
  const parsed = rewardItemSchema.safeParse(json);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || 'the line'}: ${issue.message}`)
      .join('; ');
    throw new InputFormatError('reward-input-line', `Line ${index + 1}: ${detail}`, { cause: parsed.error });
  }
  return parsed.data;
}

/** `deepeyes reward --input FILE.jsonl`: scores every line, writes one reward per line, in order. */
export async function rewardFileCommand(
  rawFlags: unknown,
  io: CliIO,
  deps: RewardSetupDeps = {},
): Promise<RewardFileSummary> {
  const flags = parseFlags(fileFlagsSchema, rawFlags);
  const lines = await readItems(flags.input);
  const setup = await openRewardSetup(setupConfig(flags), deps);
  let sink: { write(text: string): Promise<unknown>; close(): Promise<void> } | undefined;
  if (flags.output) {
    await mkdir(dirname(flags.output), { recursive: true });
    const handle = await open(flags.output, 'w');
    sink = { write: (text) => handle.write(text), close: () => handle.close() };
  }
  const write = async (text: string) => (sink ? sink.write(text) : io.out(text));
  const started = performance.now();
  const limit = limitConcurrency(flags.concurrency);
  const outputs: Array<string | undefined> = new Array(lines.length);
  const decidedBy: Record<string, number> = {};
  let next = 0;
  let done = 0;
  let errors = 0;
  let scoreSum = 0;
  let accSum = 0;
  let flushing = Promise.resolve();
  const flush = () => {
    flushing = flushing.then(async () => {
      while (next < outputs.length && outputs[next] !== undefined) await write(outputs[next++]!);
    });
    return flushing;
  };
  try {
    await Promise.all(
      lines.map((line, index) =>
        limit.run(async () => {
          let record: Record<string, unknown>;
          try {
            const item = parseLine(line, index);
            const reward: RewardResult = await setup.scorer.score(toRewardRequest(item));
            scoreSum += reward.score;
            accSum += reward.acc;
            decidedBy[reward.decidedBy] = (decidedBy[reward.decidedBy] ?? 0) + 1;
            record = { index, ...(item.id === undefined ? {} : { id: item.id }), ...reward };
          } catch (error) {
            errors++;
            const message = error instanceof Error ? error.message : String(error);
            const code = (error as { code?: unknown }).code;
            record = { index, error: { code: typeof code === 'string' ? code : 'invalid-item', message } };
          }
          outputs[index] = `${JSON.stringify(record)}\n`;
          done++;
          if (io.interactive) io.err(`\rscored ${done}/${lines.length}`);
          await flush();
        }),
      ),
    );
    await flush();
  } finally {
    await sink?.close();
    await setup.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const scored = lines.length - errors;
  const summary: RewardFileSummary = {
    items: lines.length,
    errors,
    mean_score: scored > 0 ? scoreSum / scored : 0,
    mean_acc: scored > 0 ? accSum / scored : 0,
    decided_by: decidedBy,
    judge: setup.judgeName ?? null,
    judge_cache: setup.cache ? { ...setup.cache.stats } : null,
    profile: flags.profile,
    rewards_per_second: seconds > 0 ? lines.length / seconds : 0,
    output: flags.output ?? 'stdout',
  };
  if (io.interactive) io.err('\n');
  io.err(
    `${summary.items} items, ${errors} errors, mean score ${summary.mean_score.toFixed(4)}, mean acc ${summary.mean_acc.toFixed(4)}, ` +
      `${setup.judgeName ? `judge ${setup.judgeName}` : 'no judge: rule verifiers decided'}\n`,
  );
  return summary;
}

const serveFlagsSchema = sharedFlagsSchema.extend({
  host: z.string().default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(8003),
  maxConcurrent: z.coerce.number().int().positive().default(32),
  maxQueued: z.coerce.number().int().min(0).default(1024),
});

/** `deepeyes reward serve`: the reward server until SIGINT/SIGTERM. Returns the server's address. */
export async function rewardServeCommand(
  rawFlags: unknown,
  io: CliIO,
  deps: RewardSetupDeps & { waitForShutdown?: boolean } = {},
): Promise<{ url: string; close(): Promise<void> }> {
  const flags = parseFlags(serveFlagsSchema, rawFlags);
  const setup = await openRewardSetup(setupConfig(flags), deps);
  const { judgeApiKey, ...config } = setupConfig(flags);
  const settings = {
    ...config,
    ...(judgeApiKey === undefined ? {} : { judgeApiKey: 'set' }),
    judge: setup.judgeName ?? null,
    maxConcurrent: flags.maxConcurrent,
    maxQueued: flags.maxQueued,
  };
  const app = buildRewardServer(
    { scorer: setup.scorer, settings },
    { maxConcurrent: flags.maxConcurrent, maxQueued: flags.maxQueued },
  );
  const url = await app.listen({ host: flags.host, port: flags.port });
  io.err(
    `reward server on ${url} (profile ${flags.profile}, ${setup.judgeName ? `judge ${setup.judgeName}` : 'no judge: rule verifiers decide'}); POST /reward\n`,
  );
  const close = async () => {
    await app.close();
    await setup.close();
  };
  if (deps.waitForShutdown !== false) {
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await close();
  }
  return { url, close };
}

/** Registers `deepeyes reward` (score a JSONL file) and `deepeyes reward serve`. */
export function registerRewardCommands(program: Command, io: CliIO = processIO()): void {
  const reward = addSharedFlags(
    program
      .command('reward')
      .description('Score trajectories with the DeepEyesV2 reward (format + judge or rule verifiers)')
      .option('--input <file>', 'JSONL: one {trajectory, ground_truth, data_source, question} per line')
      .option('--output <file>', 'write one reward per line here (default stdout)')
      .option('--concurrency <n>', 'items scored at once', '16'),
  ).action(async (options: Record<string, unknown>) => {
    const summary = await rewardFileCommand(options, io);
    if (summary.items > 0 && summary.errors === summary.items) {
      throw new InputFormatError(
        'reward-input-all-failed',
        `None of the ${summary.items} lines of ${String(options.input)} could be scored (each error is in the output).`,
        { hint: 'Each line needs trajectory, ground_truth and data_source (see deepeyes reward --help).' },
      );
    }
  });
  // Positional: flags after `serve` belong to serve (they were swallowed by `reward` before, so even
  // `reward serve --profile bogus` was accepted); flags before it are refused below, not silently dropped.
  // Commander needs positional parsing on every ancestor for it to take effect on `reward`.
  program.enablePositionalOptions();
  reward.enablePositionalOptions();
  addSharedFlags(
    reward
      .command('serve')
      .description('Serve POST /reward to an RL trainer, with bounded concurrency and back-pressure')
      .option('--host <host>', 'address to listen on', '127.0.0.1')
      .option('--port <port>', 'port to listen on', '8003')
      .option('--max-concurrent <n>', 'items scored at once', '32')
      .option('--max-queued <n>', 'items waiting before 503 + Retry-After', '1024'),
  ).action(async (options: Record<string, unknown>) => {
    const misplaced = reward.options
      .filter((option) => reward.getOptionValueSource(option.attributeName()) === 'cli')
      .map((option) => option.long ?? option.flags);
    if (misplaced.length > 0) {
      throw new UserError(
        'reward-flags',
        `${misplaced.join(', ')} given before "serve" would not reach the server.`,
        { hint: `Put server flags after the subcommand: deepeyes reward serve ${misplaced.join(' … ')} …` },
      );
    }
    await rewardServeCommand(options, io);
  });
}
