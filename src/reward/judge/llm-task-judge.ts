import { readFile } from 'node:fs/promises';
import { UserError } from '../../errors.js';
import type { ChatModel } from '../../model/chat-model.js';
import {
  JUDGE_TASK_KINDS,
  type JudgeTask,
  type JudgeTaskKind,
  type TaskJudge,
  type TaskJudgeOptions,
} from './judge-task.js';
import { renderTaskPrompt, TASK_PROMPTS } from './task-prompts.js';

export type LlmTaskJudgeOptions = {
  /** One chat model per judge endpoint; calls rotate over them. */
  models: readonly ChatModel[];
  /** Reported with every score. Default: the first model's name. */
  modelName?: string;
  /** Templates replacing our wording, by task kind. */
  prompts?: Partial<Record<JudgeTaskKind, string>>;
  /** Budget for one call, in ms. Default 60 000. */
  timeoutMs?: number;
  /** Reply budget in tokens. Default 1024 (the fork's math judges use 128; verify replies think first). */
  maxTokens?: number;
};

/** A `TaskJudge` over the ChatModel seam: one user message per task, the reply text as is. */
export class LlmTaskJudge implements TaskJudge {
  readonly name: string;
  private readonly prompts: Record<JudgeTaskKind, string>;
  private next = 0;

  constructor(private readonly options: LlmTaskJudgeOptions) {
    if (options.models.length === 0) throw new RangeError('LlmTaskJudge needs at least one model');
    this.name = options.modelName ?? options.models[0]!.name;
    this.prompts = { ...TASK_PROMPTS, ...options.prompts };
  }

  async ask(task: JudgeTask, options: TaskJudgeOptions = {}): Promise<string> {
    const model = this.options.models[this.next % this.options.models.length]!;
    this.next += 1;
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 60_000);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const reply = await model.complete(
      {
        messages: [{ role: 'user', content: renderTaskPrompt(this.prompts[task.kind], task) }],
        temperature: options.temperature ?? 0,
        maxTokens: this.options.maxTokens ?? 1024,
      },
      signal,
    );
    return reply.text;
  }
}

/**
 * Reads `--judge-prompt-file KIND=FILE` values (the fork's exact texts, adapted with our placeholders).
 * Files are read as is, CRLF turned into LF as Python's text mode does.
 */
export async function loadTaskPrompts(
  specs: readonly string[],
): Promise<Partial<Record<JudgeTaskKind, string>>> {
  const prompts: Partial<Record<JudgeTaskKind, string>> = {};
  for (const spec of specs) {
    const separator = spec.indexOf('=');
    const kind = spec.slice(0, separator) as JudgeTaskKind;
    if (separator < 0 || !JUDGE_TASK_KINDS.includes(kind)) {
      throw new UserError('judge-prompt-spec', `--judge-prompt-file "${spec}" does not name a task`, {
        hint: `write KIND=FILE with KIND one of ${JUDGE_TASK_KINDS.join(', ')}`,
      });
    }
    const path = spec.slice(separator + 1);
    try {
      prompts[kind] = (await readFile(path, 'utf8')).replace(/\r\n?/g, '\n');
    } catch (cause) {
      throw new UserError('judge-prompt-unreadable', `Cannot read judge prompt file ${path}`, {
        cause,
        hint: 'check the path given to --judge-prompt-file',
      });
    }
  }
  return prompts;
}
