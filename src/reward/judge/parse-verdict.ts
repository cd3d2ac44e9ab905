import { pythonStrip } from '../../protocol/python-text.js';
import type { Verdict } from './judge.js';

/** A parsed verdict and the text it was read from. */
export type ParsedVerdict = { verdict: Verdict; parsed: string | null };

/** The content of the last `\boxed{…}`, braces matched (so `\boxed{\text{Yes}}` gives `\text{Yes}`). */
export function lastBoxed(text: string): string | undefined {
  const at = text.lastIndexOf('\\boxed{');
  if (at < 0) return undefined;
  let depth = 0;
  const start = at + '\\boxed'.length;
  for (let index = start; index < text.length; index++) {
    if (text[index] === '{') depth++;
    else if (text[index] === '}' && --depth === 0) return text.slice(start + 1, index);
  }
  return undefined;
}

/** Drops `<think>…</think>` blocks: a judge may change its mind while thinking. */
function withoutThinking(text: string): string {
  return text.replace(/<think>[\s\S]*?<\/think>/g, '');
}

/** Lower case, wrappers (`\text{}`, `**`, quotes) and surrounding punctuation removed. */
function bareWord(text: string): string {
  let value = pythonStrip(text);
  for (let changed = true; changed; ) {
    const before = value;
    value = value
      .replace(/^\\text(?:bf)?\{([\s\S]*)\}$/u, '$1')
      .replace(/^[\s*_#"'`“”‘’([]+|[\s*_#"'`“”‘’)\].。!！:：]+$/gu, '');
    changed = value !== before;
  }
  return value.toLowerCase();
}

// The section a judge puts its conclusion in: the upstream prompt's <最终结果> (closed either with the
// backslash it asks for or a slash), or <verdict>/<answer> tags.
const SECTIONS = [
  /<最终结果>([\s\S]*?)(?:<[\\/]最终结果>|$)/gu,
  /<verdict>([\s\S]*?)<\/verdict>/gu,
  /<answer>([\s\S]*?)<\/answer>/gu,
];

function lastSection(text: string): string | undefined {
  for (const pattern of SECTIONS) {
    const matches = [...text.matchAll(pattern)];
    if (matches.length > 0) return matches.at(-1)![1]!;
  }
  return undefined;
}

const YES = new Set(['yes', '是', '一致']);
const NO = new Set(['no', '否', '不一致']);

/**
 * Strict Yes/No reading (`deepeyesv2`): the last `\boxed{}` outside the reasoning, else the last
 * conclusion section, else the whole reply, must be exactly yes or no, in any case. Anything else is
 * unknown (upstream reads "not Yes-equivalent" and the placeholder "Yes/No" as yes: golden README bug 28).
 */
export function parseSemanticVerdict(reply: string): ParsedVerdict {
  const text = withoutThinking(reply);
  const candidate = lastBoxed(text) ?? lastSection(text) ?? text;
  const word = bareWord(candidate);
  if (YES.has(word)) return { verdict: 'correct', parsed: pythonStrip(candidate) };
  if (NO.has(word)) return { verdict: 'incorrect', parsed: pythonStrip(candidate) };
  return { verdict: 'unknown', parsed: word === '' ? null : pythonStrip(candidate) };
}

/**
 * Strict TRUE/FALSE reading (`deepeyesv2`): the text after the last `## Equivalence Judgement` heading
 * (or the whole reply), or its last `\boxed{}`, must be exactly true or false, in any case.
 */
export function parseMathVerdict(reply: string): ParsedVerdict {
  const text = withoutThinking(reply);
  const heading = text.lastIndexOf('## Equivalence Judgement');
  const section = heading < 0 ? text : text.slice(heading + '## Equivalence Judgement'.length);
  const candidate = lastBoxed(section) ?? section;
  const word = bareWord(candidate);
  if (word === 'true') return { verdict: 'correct', parsed: pythonStrip(candidate) };
  if (word === 'false') return { verdict: 'incorrect', parsed: pythonStrip(candidate) };
  return { verdict: 'unknown', parsed: word === '' ? null : pythonStrip(candidate) };
}

/**
 * Upstream's perception/search reading, kept exactly for `upstream-rl`: the reply stripped, cut to the
 * last `<最终结果>` section and the last `boxed{…}` up to the first `}`, then case-sensitive `'Yes' in`.
 * Never unknown: anything without "Yes" counts as wrong.
 */
export function parseSemanticVerdictUpstream(reply: string): ParsedVerdict {
  let text = pythonStrip(reply);
  if (text.includes('<最终结果>'))
    text = pythonStrip(pythonStrip(text.split('<最终结果>').at(-1)!).split('<\\最终结果>')[0]!);
  if (text.includes('boxed')) text = pythonStrip(pythonStrip(text.split('boxed{').at(-1)!).split('}')[0]!);
  return { verdict: text.includes('Yes') ? 'correct' : 'incorrect', parsed: text };
}

/**
 * Upstream's math reading (`generative_verify`), for `upstream-rl`: the lower-cased text after the last
 * heading; "true" without "false" → correct, the reverse → incorrect, else unknown (upstream returns
 * None, which its reward counts as wrong: bug 30).
 */
export function parseMathVerdictUpstream(reply: string): ParsedVerdict {
  const judgement = pythonStrip(reply).split('## Equivalence Judgement').at(-1)!.toLowerCase();
  const hasTrue = judgement.includes('true');
  const hasFalse = judgement.includes('false');
  if (hasTrue && !hasFalse) return { verdict: 'correct', parsed: judgement };
  if (hasFalse && !hasTrue) return { verdict: 'incorrect', parsed: judgement };
  return { verdict: 'unknown', parsed: judgement };
}

/**
 * Upstream's validation reading (`compute_score_acc`, bug 31), for `upstream-rl`: after the last
 * "Judgement:", a "1" anywhere → correct, else a "0" → incorrect; without it the whole reply must be
 * exactly "1" or "0". Unknown means upstream asks again.
 */
export function parseValidationVerdictUpstream(reply: string): ParsedVerdict {
  let text = pythonStrip(reply);
  if (text.includes('Judgement:')) {
    text = pythonStrip(text.split('Judgement:').at(-1)!);
    if (text.includes('1')) return { verdict: 'correct', parsed: text };
    if (text.includes('0')) return { verdict: 'incorrect', parsed: text };
    return { verdict: 'unknown', parsed: text };
  }
  if (text === '1') return { verdict: 'correct', parsed: text };
  if (text === '0') return { verdict: 'incorrect', parsed: text };
  return { verdict: 'unknown', parsed: text };
}
