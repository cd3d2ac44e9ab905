import type { JudgeTask, JudgeTaskKind } from './judge-task.js';

/**
 * Our own wording for each judge task (the fork's prompt texts are the VLMEvalKit authors'; load them
 * with `--judge-prompt-file KIND=FILE`). Each asks for the reply format the fork's reader expects.
 * Placeholders: {question}, {reference}, {prediction}, {options}, {extracted}.
 */
export const TASK_PROMPTS: Readonly<Record<JudgeTaskKind, string>> = {
  verify: [
    'You compare a model answer with a reference answer to the same question. Decide whether they agree;',
    'formatting, case, units written differently and LaTeX do not matter, the final value or choice does.',
    'Do not solve the question yourself. Think inside <think></think>, then end with \\boxed{Yes} if they',
    'agree or \\boxed{No} if they do not.',
    '',
    'Question: {question}',
    'Reference answer: {reference}',
    'Model answer: {prediction}',
  ].join('\n'),
  'match-option': [
    'A model answered a multiple-choice question. Tell which option its answer picks. Reply with the',
    'option letter alone, or Z if the answer matches none of the options or picks several.',
    '',
    'Question: {question}',
    'Options:',
    '{options}',
    'Model answer: {prediction}',
    'Letter:',
  ].join('\n'),
  'match-yes-no': [
    'A model answered a yes/no question. Reply with one word: Yes if its answer means yes, No if it',
    'means no, Unknown if it means neither or both.',
    '',
    'Question: {question}',
    'Model answer: {prediction}',
    'Reply:',
  ].join('\n'),
  'extract-answer': [
    'Below is a model response to a math question. Copy out its final answer only: a number, a list',
    'such as [1, 2], an expression, or an option letter. No explanation.',
    '',
    'Question: {question}',
    'Model response: {prediction}',
    'Final answer:',
  ].join('\n'),
  'math-consistency': [
    'Two answers to a math question: the standard answer and an answer extracted from a model response.',
    'Reply 1 if they are the same answer (equivalent forms and units count, for multiple choice the same',
    'option), otherwise 0. Reply with the digit only.',
    '',
    'Question: {question}',
    'Standard answer: {reference}',
    'Extracted answer: {extracted}',
    'Judgement:',
  ].join('\n'),
};

const PLACEHOLDER = /\{(question|reference|prediction|options|extracted)\}/g;

/** Fills a task template in one pass (braces inside the values are never re-read). */
export function renderTaskPrompt(template: string, task: JudgeTask): string {
  const values: Record<string, string> = {
    question: task.question,
    reference: 'reference' in task ? task.reference : '',
    prediction: 'prediction' in task ? task.prediction : '',
    extracted: task.kind === 'math-consistency' ? task.extracted : '',
    options:
      task.kind === 'match-option'
        ? Object.entries(task.options)
            .map(([letter, text]) => `${letter}. ${text}`)
            .join('\n')
        : '',
  };
  return template.replace(PLACEHOLDER, (_match, name: string) => values[name] ?? '');
}
