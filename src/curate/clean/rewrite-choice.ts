import type { ChatModel } from '../../model/chat-model.js';
import type { CurationItem } from '../curation-item.js';
import { choiceLetter, classifyAnswer } from '../ingest/classify-answer.js';

/** Our own wording; the reply is one JSON object so it can be checked. */
export const REWRITE_SYSTEM_PROMPT = [
  'You turn multiple-choice questions about an image into open-ended questions with one short, checkable answer.',
  "Keep the meaning; do not mention options or letters. The answer must be the correct option's content,",
  'as short as possible (a word, a number or a short phrase).',
  'Reply with only a JSON object: {"question": "...", "answer": "..."}.',
  'If the question only makes sense with its options (e.g. "which of the following"), reply {"skip": "why"}.',
].join(' ');

export type RewriteResult = { kind: 'rewritten'; item: CurationItem } | { kind: 'skipped'; reason: string };

/**
 * The paper's reformulation: a multiple-choice item becomes an open-ended question with a single
 * short answer, written by an OpenAI-compatible model (cached by the caller's model wrapper). The
 * original stays beside the rewrite. A reply that is not the JSON asked for is a skip, not an error.
 */
export async function rewriteChoiceItem(
  item: CurationItem,
  model: ChatModel,
  signal?: AbortSignal,
): Promise<RewriteResult> {
  const options = item.options ?? {};
  const letter = choiceLetter(item.answer, options);
  const listed = Object.entries(options)
    .map(([key, value]) => `${key}. ${value}`)
    .join('\n');
  const reply = await model.complete(
    {
      messages: [
        { role: 'system', content: REWRITE_SYSTEM_PROMPT },
        {
          role: 'user',
          content: `Question: ${item.question}\nOptions:\n${listed}\nCorrect option: ${letter ?? item.answer}${letter ? ` (${options[letter]})` : ''}`,
        },
      ],
      temperature: 0,
      maxTokens: 512,
    },
    signal,
  );
  const json = /\{[\s\S]*\}/u.exec(reply.text)?.[0];
  let parsed: unknown;
  try {
    parsed = json ? JSON.parse(json) : undefined;
  } catch {
    parsed = undefined;
  }
  const value = parsed as { question?: unknown; answer?: unknown; skip?: unknown } | undefined;
  if (value && typeof value.skip === 'string') return { kind: 'skipped', reason: value.skip };
  if (
    !value ||
    typeof value.question !== 'string' ||
    typeof value.answer !== 'string' ||
    !value.answer.trim()
  )
    return {
      kind: 'skipped',
      reason: `the rewrite reply is not {"question","answer"} JSON: ${reply.text.slice(0, 200)}`,
    };
  const answer = value.answer.trim();
  return {
    kind: 'rewritten',
    item: {
      ...item,
      question: value.question.trim(),
      answer,
      answerType: classifyAnswer(answer),
      options: undefined,
      original: {
        question: item.question,
        answer: item.answer,
        answerType: item.answerType,
        ...(item.options ? { options: item.options } : {}),
      },
    },
  };
}
