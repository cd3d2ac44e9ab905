import type { TurnRecord } from '../../agent/trajectory.js';
import { CurationStore } from '../../curate/store/curation-store.js';

/**
 * Writes a small curation directory with the real curation store: ingested items and scripted teacher
 * attempts, one accepted and two rejected (a code error, a wrong answer). For viewer tests.
 */
export function generateCurationRun(directory: string): void {
  const store = new CurationStore(directory);
  try {
    store.beginStage('ingest', {});
    for (const [position, id] of ['c1', 'c2', 'c3'].entries())
      store.putStageItem('ingest', { id, position, status: 'kept', reason: null, detail: null });
    store.finishStage('ingest');
    const turn = (index: number, stdout: string, stderr: string): TurnRecord => ({
      index,
      assistant: `<think>Measure the bar heights first.</think>\n<code>\n\`\`\`python\nprint(heights)\n\`\`\`\n</code>`,
      finishReason: 'stop',
      action: 'code',
      toolCall: {
        tool: 'code',
        code: 'print(heights)',
        codeRun: 'print(heights)',
        status: 'ok',
        stdout,
        stderr,
        imageCount: 0,
      },
      observation: `Code execution result:\nstdout:\n\`\`\`\n${stdout}\n\`\`\``,
      promptTokens: 700,
      completionTokens: 50,
      modelMs: 300,
      toolMs: 80,
    });
    const trajectory = (id: string, stderr: string, answer: string) => ({
      version: 1,
      id,
      model: 'scripted-teacher',
      mode: 'agent',
      question: `How tall is the tallest bar in chart ${id}?`,
      inputImages: [],
      messages: [],
      turns: [
        turn(0, stderr ? '' : '[3, 7, 5]', stderr),
        {
          index: 1,
          assistant: `<think>The tallest is ${answer}.</think>\n<answer>${answer}</answer>`,
          finishReason: 'stop',
          action: 'answer',
          promptTokens: 800,
          completionTokens: 20,
          modelMs: 200,
          toolMs: 0,
        },
      ],
      answer,
      stopReason: 'answer',
      startedAt: new Date(0).toISOString(),
      durationMs: 580,
      tokens: { prompt: 1500, completion: 70 },
    });
    store.putAttempt('scripted', {
      id: 'c1',
      attempt: 0,
      teacher: 'scripted-teacher',
      accepted: true,
      reasons: [],
      trajectory: trajectory('c1', '', '7'),
    });
    store.putAttempt('scripted', {
      id: 'c2',
      attempt: 0,
      teacher: 'scripted-teacher',
      accepted: false,
      reasons: ['code-error'],
      trajectory: trajectory('c2', 'Traceback (most recent call last):\nNameError: heights', '9'),
    });
    store.putAttempt('scripted', {
      id: 'c3',
      attempt: 1,
      teacher: 'scripted-teacher',
      accepted: false,
      reasons: ['wrong-answer'],
      trajectory: trajectory('c3', '', '4'),
    });
  } finally {
    store.close();
  }
}
