import { z } from 'zod';

/** The searchable parts of a trajectory, one FTS5 column each. */
export type SampleText = {
  question: string;
  reasoning: string;
  code: string;
  output: string;
  search: string;
  answer: string;
};

const looseTrajectory = z.looseObject({
  question: z.string().optional(),
  answer: z.string().nullable().optional(),
  turns: z
    .array(
      z.looseObject({
        assistant: z.string().optional(),
        observation: z.string().optional(),
        toolCall: z.looseObject({ tool: z.string() }).optional(),
      }),
    )
    .optional(),
});

const THINK = /<think>([\s\S]*?)(?:<\/think>|$)/g;

/** Splits a trajectory into the text the grid's full-text search looks at. Unknown shapes give empty text. */
export function sampleText(trajectory: unknown, fallbackQuestion: string): SampleText {
  const parsed = looseTrajectory.safeParse(trajectory);
  const text: SampleText = {
    question: fallbackQuestion,
    reasoning: '',
    code: '',
    output: '',
    search: '',
    answer: '',
  };
  if (!parsed.success) return text;
  const reasoning: string[] = [];
  const code: string[] = [];
  const output: string[] = [];
  const search: string[] = [];
  for (const turn of parsed.data.turns ?? []) {
    for (const match of (turn.assistant ?? '').matchAll(THINK)) reasoning.push(match[1] ?? '');
    const call = turn.toolCall as Record<string, unknown> | undefined;
    if (call?.tool === 'code') {
      code.push(String(call.code ?? ''));
      output.push(String(call.stdout ?? ''), String(call.stderr ?? ''));
    } else if (call?.tool === 'search' || call?.tool === 'image_search') {
      search.push(String(call.query ?? ''), turn.observation ?? '');
    }
  }
  return {
    question: fallbackQuestion || (parsed.data.question ?? ''),
    reasoning: reasoning.join('\n'),
    code: code.join('\n'),
    output: output.join('\n'),
    search: search.join('\n'),
    answer: parsed.data.answer ?? '',
  };
}
