import { createHash } from 'node:crypto';
import type { JudgeStyle } from './judge.js';

/**
 * A judge prompt: an optional system message and a user template. Placeholders `{question}`,
 * `{reference}`, `{prediction}` (upstream's spellings `{answer}`, `{query}`, `{gold_ans}`, `{pred_ans}`
 * work too) are filled in one pass, so braces inside the values are never re-read.
 */
export type JudgePrompt = {
  /** Part of the cache key: change it whenever the wording changes. */
  version: string;
  system?: string;
  user: string;
};

// Our own wording (the upstream texts are the authors'; users load them with --judge-prompt-file).
// Same verdict formats as upstream: \boxed{Yes|No} and "## Equivalence Judgement" TRUE/FALSE.
export const SEMANTIC_PROMPT: JudgePrompt = {
  version: 'deepeyes-semantic-v1',
  system: [
    'You grade answers to questions about images. Compare a model answer with a reference answer and',
    'decide whether they say the same thing. You do not need to solve the question yourself.',
    '',
    'Guidelines:',
    '- Wording, formatting, capitalisation and extra polite words do not matter; meaning does.',
    '- A number must match the reference value; equivalent units and notations are fine ("330 m" = "330 metres").',
    '- For a multiple-choice question, the chosen option must be the reference option (by letter or by text).',
    '- If the reference lists alternatives joined by "or", matching any one of them is enough.',
    '- If the question asks several things, every part must match.',
    '- An empty, evasive or hedged answer ("A or B") does not match.',
    '',
    'Think briefly inside <think></think>, then give the verdict as \\boxed{Yes} if the answers match',
    'or \\boxed{No} if they do not. Nothing after the box.',
  ].join('\n'),
  user: ['Question: {question}', 'Reference answer: {reference}', 'Model answer: {prediction}'].join('\n'),
};

export const MATH_PROMPT: JudgePrompt = {
  version: 'deepeyes-math-v1',
  user: [
    'You check answers to math problems. Decide whether the student answer is mathematically equivalent',
    'to the reference answer, which is always correct. Different but equivalent forms count as equal',
    '(fractions and decimals, simplified and unsimplified expressions, LaTeX or plain text); a value that',
    'is almost right, or an answer to a different quantity, does not.',
    '',
    'Reply in exactly this format, with no explanation:',
    '## Equivalence Judgement',
    'TRUE or FALSE',
    '',
    '**Question**:',
    '{question}',
    '',
    '**Reference Answer**',
    '{reference}',
    '',
    '## Student Final Answer',
    '{prediction}',
  ].join('\n'),
};

export const DEFAULT_PROMPTS: Readonly<Record<JudgeStyle, JudgePrompt>> = {
  semantic: SEMANTIC_PROMPT,
  math: MATH_PROMPT,
};

const PLACEHOLDER = /\{(question|query|reference|answer|gold_ans|prediction|pred_ans)\}/g;

/** Fills a template; a null prediction renders as "None", as Python's str.format does. */
export function renderTemplate(
  template: string,
  values: { question: string; reference: string; prediction: string | null },
): string {
  return template.replace(PLACEHOLDER, (_match, name: string) => {
    if (name === 'question' || name === 'query') return values.question;
    if (name === 'reference' || name === 'answer' || name === 'gold_ans') return values.reference;
    return values.prediction ?? 'None';
  });
}

/** A version for prompts loaded from files: a short hash of their text. */
export function promptVersionOf(prompt: Omit<JudgePrompt, 'version'>): string {
  const hash = createHash('sha256')
    .update(JSON.stringify([prompt.system ?? null, prompt.user]))
    .digest('hex');
  return `file-${hash.slice(0, 12)}`;
}
