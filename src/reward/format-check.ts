import { pythonLength, pythonLstrip } from '../protocol/python-text.js';
import { countOccurrences, extractFinalAnswer, textAfterLastThink } from './extract-answer.js';

/** Why a response fails the format reward; one response can fail for several reasons. */
export type FormatIssue =
  | 'think-unbalanced'
  | 'think-missing'
  | 'code-unbalanced'
  | 'tool-call-unbalanced'
  | 'answer-unbalanced'
  | 'answer-missing'
  | 'answer-empty'
  | 'answer-too-long';

export type FormatOptions = {
  /** Check `<tool_call>` balance (search data). */
  checkToolCallTags: boolean;
  /** Answers this many code points or longer fail and get acc 0 (perception and search: 300). */
  answerLengthLimit?: number;
  /**
   * Upstream prefixes `<think>` unless the text starts with it, so a leading newline gives two
   * `<think>` (golden README bug 25). When true, leading whitespace is ignored for that check.
   */
  ignoreLeadingWhitespace: boolean;
};

export type TagCounts = {
  thinkOpen: number;
  thinkClose: number;
  codeOpen: number;
  codeClose: number;
  toolCallOpen: number;
  toolCallClose: number;
  answerOpen: number;
  answerClose: number;
};

export type FormatCheck = {
  ok: boolean;
  issues: FormatIssue[];
  /** The final answer (stripped), or null when none was found. */
  answer: string | null;
  /** True when `<think>` was prefixed because the response did not start with it. */
  thinkPrepended: boolean;
  counts: TagCounts;
};

/**
 * The DeepEyesV2 format rule (DESIGN.md, Rewards) over one text: the whole decoded response in
 * `upstream-rl`, the model's own turns in `deepeyesv2`. Pure.
 */
export function checkFormat(text: string, options: FormatOptions): FormatCheck {
  const start = options.ignoreLeadingWhitespace ? pythonLstrip(text) : text;
  const thinkPrepended = !start.startsWith('<think>');
  const response = thinkPrepended ? `<think>${start}` : start;
  const region = textAfterLastThink(response);
  const counts: TagCounts = {
    thinkOpen: countOccurrences(response, '<think>'),
    thinkClose: countOccurrences(response, '</think>'),
    codeOpen: countOccurrences(response, '<code>'),
    codeClose: countOccurrences(response, '</code>'),
    toolCallOpen: countOccurrences(response, '<tool_call>'),
    toolCallClose: countOccurrences(response, '</tool_call>'),
    answerOpen: countOccurrences(region, '<answer>'),
    answerClose: countOccurrences(region, '</answer>'),
  };
  const issues: FormatIssue[] = [];
  if (counts.thinkOpen !== counts.thinkClose) issues.push('think-unbalanced');
  if (counts.thinkOpen === 0 || counts.thinkClose === 0) issues.push('think-missing');
  if (counts.codeOpen !== counts.codeClose) issues.push('code-unbalanced');
  if (options.checkToolCallTags && counts.toolCallOpen !== counts.toolCallClose) {
    issues.push('tool-call-unbalanced');
  }
  if (counts.answerOpen !== counts.answerClose) issues.push('answer-unbalanced');
  if (counts.answerOpen === 0 || counts.answerClose === 0) issues.push('answer-missing');
  const answer = extractFinalAnswer(response);
  if (answer === '') issues.push('answer-empty');
  else if (answer === null && !issues.includes('answer-missing')) issues.push('answer-missing');
  if (
    answer &&
    options.answerLengthLimit !== undefined &&
    pythonLength(answer) >= options.answerLengthLimit
  ) {
    issues.push('answer-too-long');
  }
  return { ok: issues.length === 0, issues, answer, thinkPrepended, counts };
}
