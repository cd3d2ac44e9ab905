import type { JudgeTask, JudgeTaskKind, TaskJudge, TaskJudgeOptions } from '../judge/judge-task.js';

export type RecordedTask = JudgeTask & { temperature?: number };

/**
 * A scripted judge (label: `scripted-judge`): replies come from per-kind queues, every task is
 * recorded, and asking past the script throws, so a test sees exactly which judge calls a scorer made.
 */
export class ScriptedTaskJudge implements TaskJudge {
  readonly name = 'scripted-judge';
  readonly tasks: RecordedTask[] = [];
  private readonly queues: Partial<Record<JudgeTaskKind, string[]>>;

  constructor(replies: Partial<Record<JudgeTaskKind, readonly string[]>> = {}) {
    this.queues = Object.fromEntries(Object.entries(replies).map(([kind, queue]) => [kind, [...queue]]));
  }

  async ask(task: JudgeTask, options: TaskJudgeOptions = {}): Promise<string> {
    this.tasks.push({
      ...task,
      ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
    });
    const reply = this.queues[task.kind]?.shift();
    if (reply === undefined) throw new Error(`scripted judge: no ${task.kind} reply left`);
    return reply;
  }

  /** Throws when scripted replies were not used. */
  assertConsumed(): void {
    const left = Object.entries(this.queues).filter(([, queue]) => queue.length > 0);
    if (left.length > 0)
      throw new Error(`scripted judge: unused replies for ${left.map(([kind]) => kind).join(', ')}`);
  }
}
