import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseCurateConfig, resolvePaths } from '../../curate/config/curate-config.js';
import { STAGES, type StageName } from '../../curate/curation-item.js';
import { parseSourceArgument } from '../../curate/ingest/source-config.js';
import { UserError } from '../../errors.js';
import type { CliIO } from '../io.js';
import { runCurateStages } from './curate-run.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];
const optionalInt = z.coerce.number().int().positive().optional();

const curateFlagsSchema = z.object({
  config: z.string().optional(),
  out: z.string().optional(),
  concurrency: optionalInt,
  student: z.string().optional(),
  studentModel: z.string().optional(),
  judgeUrl: z.string().optional(),
  judgeModel: z.string().optional(),
  unsafeNoIsolation: z.boolean().optional(),
  sandboxUrl: z.string().optional(),
  source: z.array(z.string()).optional(),
  decontaminate: z.array(z.string()).optional(),
  k: optionalInt,
  maxPasses: z.coerce.number().int().min(0).optional(),
  minPassesForRl: optionalInt,
  teacher: z.array(z.string()).optional(),
  maxAttempts: optionalInt,
  sftOut: z.string().optional(),
  extra: z.array(z.string()).optional(),
  cutoffLen: optionalInt,
  imageMaxPixels: optionalInt,
  rlOut: z.string().optional(),
  layout: z.array(z.enum(['deepeyesv2', 'verl'])).optional(),
  mix: z.boolean().default(true),
});
type CurateFlags = z.infer<typeof curateFlagsSchema>;

type Raw = Record<string, unknown>;

function section(raw: Raw, key: string): Raw {
  const value = raw[key];
  if (value === undefined) raw[key] = {};
  else if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new UserError('curate-config-invalid', `${key}: expected a mapping`);
  return raw[key] as Raw;
}

/** `name=url[#model]` */
function parseTeacher(argument: string) {
  const match = /^([\w.-]+)=([^#]+)(?:#(.+))?$/u.exec(argument);
  if (!match)
    throw new UserError('curate-bad-teacher', `--teacher ${argument}: expected NAME=URL[#MODEL]`, {
      hint: 'e.g. --teacher gpt4o=https://api.openai.com/v1#gpt-4o',
    });
  return { name: match[1]!, url: match[2]!, ...(match[3] ? { model: match[3] } : {}) };
}

/**
 * The YAML config (if any) with the flags laid over it, validated as one: flags name paths relative
 * to the working directory, the YAML relative to its own folder.
 */
export async function curateConfigFromFlags(flags: CurateFlags) {
  let raw: Raw = {};
  let base = process.cwd();
  if (flags.config) {
    let text: string;
    try {
      text = await readFile(flags.config, 'utf8');
    } catch (error) {
      throw new UserError('curate-config-missing', `cannot read ${flags.config}`, {
        cause: error,
        hint: 'give --config the curation YAML (see docs/curation.md for an example)',
      });
    }
    try {
      raw = (parseYaml(text) as Raw | null) ?? {};
    } catch (error) {
      throw new UserError(
        'curate-config-invalid',
        `${flags.config} is not YAML: ${(error as Error).message}`,
      );
    }
    if (typeof raw !== 'object' || Array.isArray(raw))
      throw new UserError('curate-config-invalid', `${flags.config}: expected a mapping of settings`);
    base = dirname(resolve(flags.config));
  }
  const here = (path: string) => resolve(path);
  if (flags.out) raw.out = here(flags.out);
  if (raw.out === undefined)
    throw new UserError('curate-out-missing', 'no curation directory', {
      hint: 'set out: in curate.yaml or pass --out DIR',
    });
  if (flags.concurrency) raw.concurrency = flags.concurrency;
  if (flags.student)
    raw.student = { url: flags.student, ...(flags.studentModel ? { model: flags.studentModel } : {}) };
  if (flags.judgeUrl)
    raw.judge = { url: flags.judgeUrl, ...(flags.judgeModel ? { model: flags.judgeModel } : {}) };
  if (flags.unsafeNoIsolation) section(raw, 'agent').unsafeNoIsolation = true;
  if (flags.sandboxUrl) section(raw, 'agent').sandboxUrl = flags.sandboxUrl;
  if (flags.source?.length)
    raw.sources = flags.source.map((argument) => {
      const source = parseSourceArgument(argument);
      return { ...source, path: here(source.path) };
    });
  if (flags.decontaminate?.length) section(raw, 'clean').decontaminate = flags.decontaminate.map(here);
  if (flags.k) {
    section(raw, 'difficulty').k = flags.k;
    section(raw, 'toolBenefit').k = flags.k;
  }
  if (flags.maxPasses !== undefined) section(raw, 'difficulty').maxPasses = flags.maxPasses;
  if (flags.minPassesForRl) section(raw, 'toolBenefit').minPassesForRl = flags.minPassesForRl;
  if (flags.teacher?.length) raw.teachers = flags.teacher.map(parseTeacher);
  if (flags.maxAttempts) section(raw, 'teacher').maxAttempts = flags.maxAttempts;
  if (flags.sftOut) section(raw, 'sftExport').out = here(flags.sftOut);
  if (flags.extra?.length)
    section(raw, 'sftExport').extra = flags.extra.map((argument) => {
      const at = argument.lastIndexOf('@');
      return at > 0
        ? { path: here(argument.slice(0, at)), category: argument.slice(at + 1) }
        : { path: here(argument) };
    });
  if (flags.cutoffLen) section(raw, 'sftExport').cutoffLen = flags.cutoffLen;
  if (flags.imageMaxPixels) section(raw, 'sftExport').imageMaxPixels = flags.imageMaxPixels;
  if (!flags.mix) {
    section(raw, 'sftExport').shares = false;
    section(raw, 'rlExport').shares = false;
  }
  if (flags.rlOut) section(raw, 'rlExport').out = here(flags.rlOut);
  if (flags.layout?.length) section(raw, 'rlExport').layouts = flags.layout;
  return resolvePaths(parseCurateConfig(raw, flags.config ?? 'the flags'), base);
}

/** Common flags of every curate command. */
function addCommonFlags(command: Command): Command {
  return command
    .option('--config <file>', 'curation YAML (docs/curation.md); flags override its keys')
    .option('--out <dir>', 'curation directory: curation.sqlite, images/, exports, report (config: out)')
    .option('--concurrency <n>', 'rollouts or items in flight at once (config: concurrency; default 32)')
    .option(
      '--student <url>',
      'OpenAI-compatible server of the base model for the rollout passes (config: student.url)',
    )
    .option('--student-model <name>', 'model name to request from --student (config: student.model)')
    .option(
      '--judge-url <url>',
      'OpenAI-compatible judge; without one, rule verifiers decide (config: judge.url)',
    )
    .option('--judge-model <name>', 'judge model name (config: judge.model)')
    .option('--unsafe-no-isolation', 'run the sandbox without bubblewrap (config: agent.unsafeNoIsolation)')
    .option(
      '--sandbox-url <url>',
      "run the rollouts' code on a `deepeyes sandbox serve` elsewhere instead of a local sandbox; token from DEEPEYES_SANDBOX_TOKEN (config: agent.sandboxUrl)",
    );
}

type StageFlags = { stages: StageName[]; flags: (command: Command) => Command; description: string };

const STAGE_COMMANDS: Record<Exclude<StageName, never>, Omit<StageFlags, 'stages'>> = {
  ingest: {
    description: 'read sources (JSONL, JSON, parquet, VLMEvalKit TSV, image folder) into the store',
    flags: (command) =>
      command.option(
        '--source <path[:preset][@category]>',
        `a source file (repeatable; presets: deepeyesv2-rl, deepeyesv2-sft, mmsearch-r1, vlmevalkit; config: sources)`,
        collect,
      ),
  },
  clean: {
    description: 'drop unverifiable items, optional MC → open rewrite, dedup, decontaminate',
    flags: (command) =>
      command.option(
        '--decontaminate <file>',
        'benchmark file whose items must not be trained on (repeatable; config: clean.decontaminate)',
        collect,
      ),
  },
  difficulty: {
    description: 'k rollouts without tools per item; keep items solved at most --max-passes times',
    flags: (command) =>
      command
        .option('-k, --k <n>', 'rollouts per item (config: difficulty.k; default 8)')
        .option(
          '--max-passes <n>',
          'keep items correct at most this often (config: difficulty.maxPasses; default 2)',
        ),
  },
  'tool-benefit': {
    description: 'k rollouts with tools; solved → RL pool, never solved → cold-start pool',
    flags: (command) =>
      command
        .option('-k, --k <n>', 'rollouts per item (config: toolBenefit.k; default 8)')
        .option(
          '--min-passes-for-rl <n>',
          'correct rollouts that send an item to RL (config: toolBenefit.minPassesForRl; default 1)',
        ),
  },
  teachers: {
    description: 'teacher trajectories for the cold-start pool, kept only when verified',
    flags: (command) =>
      command
        .option('--teacher <name=url[#model]>', 'a teacher endpoint (repeatable; config: teachers)', collect)
        .option(
          '--max-attempts <n>',
          'attempts per item over all teachers (config: teacher.maxAttempts; default 4)',
        ),
  },
  'sft-export': {
    description:
      'LLaMA-Factory sharegpt JSON + dataset_info.json + export-manifest.json, validated and mixed',
    flags: (command) =>
      command
        .option('--sft-out <dir>', 'export folder (config: sftExport.out; default OUT/sft)')
        .option(
          '--extra <path[@group]>',
          'extra sharegpt JSON/JSONL to mix in (repeatable; default group long-cot; config: sftExport.extra)',
          collect,
        )
        .option(
          '--cutoff-len <n>',
          'LLaMA-Factory cutoff_len samples must fit (config: sftExport.cutoffLen; default 20480)',
        )
        .option(
          '--image-max-pixels <n>',
          'LLaMA-Factory image_max_pixels (config: sftExport.imageMaxPixels; default 262144)',
        )
        .option('--no-mix', 'keep every valid sample instead of mixing to the target shares'),
  },
  'rl-export': {
    description: 'verl parquet of the RL pool in the DeepEyesV2 fork and upstream verl layouts, mixed',
    flags: (command) =>
      command
        .option('--rl-out <dir>', 'export folder (config: rlExport.out; default OUT/rl)')
        .option(
          '--layout <name>',
          'deepeyesv2 | verl (repeatable; config: rlExport.layouts; default both)',
          collect,
        )
        .option('--no-mix', 'keep the whole RL pool instead of mixing to the target shares'),
  },
  report: {
    description: 'report.md + report.html: funnel, drops, pass rates, teachers, tool mix, mixes',
    flags: (command) => command,
  },
};

/** Runs stages with Ctrl-C/SIGTERM stopping gracefully (in-flight units finish or are dropped; resume later). */
async function runWithSignals(rawFlags: unknown, stages: StageName[], io: CliIO): Promise<void> {
  const flags = curateFlagsSchema.parse(rawFlags);
  const config = await curateConfigFromFlags(flags);
  const controller = new AbortController();
  let signalName: string | undefined;
  const onSignal = (name: NodeJS.Signals) => {
    if (signalName) process.exit(name === 'SIGINT' ? 130 : 143);
    signalName = name;
    io.err(
      `\n${name}: stopping; run the same command again to resume (${name === 'SIGINT' ? 'Ctrl-C' : 'signal'} again to quit now)\n`,
    );
    controller.abort(new Error(name));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const result = await runCurateStages(config, stages, io, controller.signal);
    if (signalName) process.exitCode = signalName === 'SIGINT' ? 130 : 143;
    else if (!result.finished) process.exitCode = 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** `deepeyes curate run|<stage>`. */
export function registerCurateCommands(program: Command, io: CliIO): Command {
  const group = program
    .command('curate')
    .description(
      'Data curation as DeepEyesV2 builds it: ingest → clean → difficulty → tool-benefit → teachers → sft-export → rl-export → report.',
    );
  const run = group
    .command('run')
    .description('run every stage in order (finished stages are skipped, an interrupted one resumes)');

  addCommonFlags(run);
  // The same flag on two stages (-k, --no-mix) is one flag of `run`, applying to both.
  const once = new Proxy(run, {
    get(target, property, receiver) {
      if (property !== 'option') return Reflect.get(target, property, receiver);
      return (flags: string, ...rest: unknown[]) => {
        const long = /--[\w-]+/u.exec(flags)?.[0];
        if (!target.options.some((option) => option.long === long))
          (target.option as (...args: unknown[]) => Command)(flags, ...rest);
        return once;
      };
    },
  });
  for (const stage of STAGES) STAGE_COMMANDS[stage].flags(once);
  run.action(async (flags) => runWithSignals(flags, [...STAGES], io));
  for (const stage of STAGES) {
    const command = STAGE_COMMANDS[stage].flags(
      addCommonFlags(group.command(stage).description(STAGE_COMMANDS[stage].description)),
    );
    command.action(async (flags) => runWithSignals(flags, [stage], io));
  }
  return group;
}
