import { join } from 'node:path';
import type { AgentDependencies } from '../../agent/run-agent.js';
import { runClean } from '../../curate/clean/clean-stage.js';
import type { CurateConfig } from '../../curate/config/curate-config.js';
import { STAGES, type StageName } from '../../curate/curation-item.js';
import { qwen25Tokenizer } from '../../curate/export/qwen-tokenizer.js';
import { runRlExport } from '../../curate/export/rl-export-stage.js';
import { runSftExport } from '../../curate/export/sft-export-stage.js';
import { runIngest } from '../../curate/ingest/ingest-stage.js';
import type { StageContext, StageOutcome } from '../../curate/pipeline/stage-context.js';
import { writeCurationReport } from '../../curate/report/write-curation-report.js';
import { runDifficulty } from '../../curate/rollout/difficulty-stage.js';
import { agentRollouts } from '../../curate/rollout/rollout-runner.js';
import { runToolBenefit } from '../../curate/rollout/tool-benefit-stage.js';
import { CachedChatModel } from '../../curate/store/cached-chat-model.js';
import { CurationStore } from '../../curate/store/curation-store.js';
import { ImageStore } from '../../curate/store/image-store.js';
import { runTeachers } from '../../curate/teachers/teacher-stage.js';
import { UserError } from '../../errors.js';
import type { ChatModel } from '../../model/chat-model.js';
import { openRewardSetup, type RewardSetup } from '../../reward/reward-setup.js';
import { createSearchTools } from '../../search/create-search-tools.js';
import { createChatModel, openSandbox } from '../agent-setup.js';
import type { CliIO } from '../io.js';
import { progressPrinter } from './curate-progress.js';

type Endpoint = NonNullable<CurateConfig['student']>;

/** Opens what the stages need only when a stage first needs it, and closes all of it once. */
class StageResources {
  private closers: (() => Promise<void>)[] = [];
  private tools?: Promise<Pick<AgentDependencies, 'sandbox' | 'search' | 'imageSearch'>>;
  private reward?: Promise<RewardSetup>;
  private readonly models = new Map<string, Promise<ChatModel>>();

  constructor(
    private readonly config: CurateConfig,
    private readonly store: CurationStore,
    private readonly io: CliIO,
  ) {}

  model(endpoint: Endpoint | undefined, role: string): Promise<ChatModel> {
    if (!endpoint)
      throw new UserError('curate-model-missing', `no ${role} model in the config`, {
        hint: `set ${role}: {url: http://localhost:8000/v1, model: NAME} in curate.yaml (or --${role} URL)`,
      });
    const key = `${endpoint.url}#${endpoint.model ?? ''}`;
    let model = this.models.get(key);
    if (!model) {
      model = createChatModel(
        {
          model: endpoint.url,
          ...(endpoint.model ? { modelName: endpoint.model } : {}),
          ...(endpoint.apiKey ? { apiKey: endpoint.apiKey } : {}),
        },
        (message) => this.io.err(`${message}\n`),
      ).then((inner) => new CachedChatModel(inner, this.store));
      this.models.set(key, model);
    }
    return model;
  }

  toolDependencies(): Promise<Pick<AgentDependencies, 'sandbox' | 'search' | 'imageSearch'>> {
    this.tools ??= (async () => {
      const { agent, concurrency } = this.config;
      const { sandbox } = await openSandbox({ ...agent, concurrency }, this.io);
      this.closers.push(() => sandbox.close());
      const search = await createSearchTools({
        text: (agent.searchProvider ?? 'local') as never,
        image: (agent.imageSearchProvider ?? (agent.imageSearchCacheFile ? 'cache' : 'local')) as never,
        ...(agent.searchIndex ? { textIndexPath: agent.searchIndex } : {}),
        ...(agent.imageSearchCacheFile ? { imageCacheFiles: [agent.imageSearchCacheFile] } : {}),
        cache: { mode: 'record', path: join(this.config.out, 'search-cache.sqlite') },
      });
      this.closers.push(async () => search.close());
      return { sandbox, search: search.text, imageSearch: search.image };
    })();
    return this.tools;
  }

  scorer(): Promise<RewardSetup> {
    this.reward ??= openRewardSetup({
      profile: this.config.agent.profile === 'upstream-rl' ? 'upstream-rl' : 'deepeyesv2',
      sympy: false,
      ...(this.config.judge
        ? {
            judgeUrls: this.config.judge.url.split(',').map((url) => url.trim()),
            ...(this.config.judge.model ? { judgeModel: this.config.judge.model } : {}),
            ...(this.config.judge.apiKey ? { judgeApiKey: this.config.judge.apiKey } : {}),
          }
        : {}),
    }).then((setup) => {
      this.closers.push(() => setup.close());
      return setup;
    });
    return this.reward;
  }

  async close(): Promise<void> {
    for (const close of this.closers.reverse()) await close().catch(() => undefined);
  }
}

/** What a rollout's settings must pin besides k/temperature/seed: everything that changes a rollout. */
function agentIdentity(config: CurateConfig): Record<string, unknown> {
  const { unsafeNoIsolation: _unused, ...rest } = config.agent;
  return rest;
}

function agentOptions(config: CurateConfig) {
  const { agent } = config;
  return {
    profile: agent.profile,
    ...(agent.maxTurns ? { maxTurns: agent.maxTurns } : {}),
    ...(agent.maxTokensPerTurn ? { maxTokensPerTurn: agent.maxTokensPerTurn } : {}),
    ...(agent.prefillThink !== undefined ? { prefillThink: agent.prefillThink } : {}),
  };
}

/**
 * Runs the given stages in pipeline order on one store: each reads the previous stage's output, a
 * finished stage is skipped, an interrupted one resumes. Stops at the first stage that did not
 * finish (stopped by a signal, or units failed: a rerun retries them).
 */
export async function runCurateStages(
  config: CurateConfig,
  stages: readonly StageName[],
  io: CliIO,
  signal?: AbortSignal,
): Promise<{ outcomes: StageOutcome[]; finished: boolean }> {
  const store = new CurationStore(config.out);
  const resources = new StageResources(config, store, io);
  const printer = progressPrinter(io);
  const context: StageContext = {
    store,
    images: new ImageStore(store),
    concurrency: config.concurrency,
    ...(signal ? { signal } : {}),
    onProgress: printer.update,
    log: (line) => {
      printer.clear();
      io.err(`${line}\n`);
    },
  };
  const judge = config.judge ? `${config.judge.url}#${config.judge.model ?? ''}` : null;
  const outcomes: StageOutcome[] = [];
  try {
    for (const stage of STAGES.filter((name) => stages.includes(name))) {
      if (signal?.aborted) break;
      const outcome = await runStage(stage);
      printer.done();
      outcomes.push(outcome);
      io.err(
        `${stage}: ${outcome.kept} kept, ${outcome.dropped} dropped${outcome.workDone ? `, ${outcome.workDone} units done now` : ''}${outcome.failed ? `, ${outcome.failed} failed (rerun to retry)` : ''}${outcome.finished ? '' : ' — not finished'}\n`,
      );
      if (!outcome.finished) return { outcomes, finished: false };
    }
    return { outcomes, finished: outcomes.length > 0 && !signal?.aborted };
  } finally {
    await resources.close();
    store.close();
  }

  async function runStage(stage: StageName): Promise<StageOutcome> {
    switch (stage) {
      case 'ingest':
        if (config.sources.length === 0)
          throw new UserError('curate-no-sources', 'no sources to ingest', {
            hint: 'list them under sources: in curate.yaml (or --source PATH[:preset][@category])',
          });
        return runIngest({ sources: config.sources }, context);
      case 'clean': {
        const rewrite = config.clean.rewrite;
        return runClean(
          {
            verify: config.clean.verify,
            rewriteModel: rewrite ? `${rewrite.url}#${rewrite.model ?? ''}` : null,
            maxHashDistance: config.clean.maxHashDistance,
            decontaminate: config.clean.decontaminate,
          },
          context,
          rewrite ? { rewriter: await resources.model(rewrite, 'clean.rewrite') } : {},
        );
      }
      case 'difficulty':
      case 'tool-benefit': {
        const student = await resources.model(config.student, 'student');
        const tools = stage === 'tool-benefit' ? await resources.toolDependencies() : {};
        const settings = stage === 'difficulty' ? config.difficulty : config.toolBenefit;
        const runner = agentRollouts({
          dependencies: { model: student, ...tools },
          agent: agentOptions(config),
          temperature: settings.temperature,
          seed: settings.seed,
        });
        const base = {
          k: settings.k,
          temperature: settings.temperature,
          seed: settings.seed,
          judge,
          maxAttempts: settings.maxAttempts,
          agent: agentIdentity(config),
        };
        const dependencies = { runner, scorer: (await resources.scorer()).scorer };
        return stage === 'difficulty'
          ? runDifficulty({ ...base, maxPasses: config.difficulty.maxPasses }, context, dependencies)
          : runToolBenefit(
              { ...base, minPassesForRl: config.toolBenefit.minPassesForRl },
              context,
              dependencies,
            );
      }
      case 'teachers': {
        if (config.teachers.length === 0)
          throw new UserError('curate-no-teachers', 'no teachers in the config', {
            hint: 'list them under teachers: [{name, url, model}] in curate.yaml',
          });
        const tools = await resources.toolDependencies();
        const teachers = await Promise.all(
          config.teachers.map(async (teacher) => ({
            name: teacher.name,
            runner: agentRollouts({
              dependencies: { model: await resources.model(teacher, `teachers.${teacher.name}`), ...tools },
              agent: agentOptions(config),
              temperature: config.teacher.temperature,
              seed: config.teacher.seed,
            }),
          })),
        );
        return runTeachers(
          {
            teachers: teachers.map((teacher) => teacher.name),
            maxAttempts: config.teacher.maxAttempts,
            temperature: config.teacher.temperature,
            seed: config.teacher.seed,
            judge,
            acceptance: { maxTurns: config.teacher.maxTurns, maxAnswerChars: config.teacher.maxAnswerChars },
            retries: config.teacher.retries,
            agent: agentIdentity(config),
          },
          context,
          { teachers, scorer: (await resources.scorer()).scorer },
        );
      }
      case 'sft-export': {
        const sft = config.sftExport;
        const result = await runSftExport(
          {
            out: sft.out ?? join(config.out, 'sft'),
            datasetName: sft.datasetName,
            template: sft.template,
            cutoffLen: sft.cutoffLen,
            imageMaxPixels: sft.imageMaxPixels,
            imageMinPixels: sft.imageMinPixels,
            shares: sft.shares === false ? null : sft.shares,
            ...(sft.maxSamples ? { maxSamples: sft.maxSamples } : {}),
            extra: sft.extra,
          },
          context,
          { countTokens: (text) => qwen25Tokenizer().encode(text).length },
        );
        io.out(`sft-export: ${result.plan.total} samples in ${result.directory}\n`);
        return result;
      }
      case 'rl-export': {
        const rl = config.rlExport;
        const result = await runRlExport(
          {
            out: rl.out ?? join(config.out, 'rl'),
            layouts: rl.layouts,
            shares: rl.shares === false ? null : rl.shares,
            ...(rl.maxSamples ? { maxSamples: rl.maxSamples } : {}),
            agentName: rl.agentName,
          },
          context,
        );
        io.out(
          `rl-export: ${result.plan.total} rows in ${Object.keys(result.files)
            .map((file) => join(result.directory, file))
            .join(', ')}\n`,
        );
        return result;
      }
      case 'report': {
        const written = await writeCurationReport(store, config.out);
        io.out(`report: ${written.markdown}\nreport: ${written.html}\n`);
        return { stage: 'report', kept: 0, dropped: 0, workDone: 1, failed: 0, finished: true };
      }
    }
  }
}
