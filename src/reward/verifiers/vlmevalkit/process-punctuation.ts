/**
 * VLMEvalKit's `process_punctuation` (vlmeval/smp/misc.py), used by its yes/no extraction and VQA
 * normalisation. Quirks kept: a punctuation mark is deleted (not spaced) whenever it appears next to a
 * space anywhere in the text or the text has a digit,digit comma; and the period rule removes at most
 * 32 periods, because `re.UNICODE` (32) lands in `re.sub`'s `count` argument.
 */
const PUNCTUATION = [
  ';',
  '/',
  '[',
  ']',
  '"',
  '{',
  '}',
  '(',
  ')',
  '=',
  '+',
  '\\',
  '_',
  '-',
  '>',
  '<',
  '@',
  '`',
  ',',
  '?',
  '!',
];
const COMMA_BETWEEN_DIGITS = /(\p{Nd})(,)(\p{Nd})/u;
const LONE_PERIOD = /(?<!\p{Nd})\.(?!\p{Nd})/gu;
const PERIOD_LIMIT = 32;

export function processPunctuation(text: string): string {
  let out = text;
  const digitComma = COMMA_BETWEEN_DIGITS.test(text);
  for (const mark of PUNCTUATION) {
    const touchesSpace = text.includes(`${mark} `) || text.includes(` ${mark}`);
    out = out.split(mark).join(touchesSpace || digitComma ? '' : ' ');
  }
  let removed = 0;
  return out.replace(LONE_PERIOD, (period) => {
    removed += 1;
    return removed <= PERIOD_LIMIT ? '' : period;
  });
}
