import { parsePythonJson } from '../../protocol/python-json.js';
import { PythonFloat, pythonFloatRepr } from '../../protocol/python-number.js';
import { pythonStr } from '../../protocol/python-repr.js';
import { pythonStrip } from '../../protocol/python-text.js';

/**
 * Reference answers that are lists of acceptable alternatives. VLMEvalKit's OCRBench.tsv stores
 * `answer` as a Python list literal (`['Centre', 'centre']`); JSON and parquet data hold arrays. Both
 * mean "any of these". Scalars inside a list become text the way Python's `str()` writes them
 * (`12`, `1.5`, `2.0`, `True`, `None`).
 */

type Token = { text: string; kind: 'string' | 'number' | 'word' };

const PYTHON_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  n: '\n',
  t: '\t',
  r: '\r',
  a: '\u0007',
  b: '\b',
  f: '\f',
  v: '\v',
  '0': '\0',
};

function readString(text: string, start: number): { value: string; end: number } | undefined {
  const quote = text[start]!;
  let value = '';
  for (let index = start + 1; index < text.length; index += 1) {
    const character = text[index]!;
    if (character === quote) return { value, end: index + 1 };
    if (character === '\n') return undefined;
    if (character !== '\\') {
      value += character;
      continue;
    }
    const next = text[index + 1];
    if (next === undefined) return undefined;
    const hex = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
    if (hex > 0) {
      const digits = text.slice(index + 2, index + 2 + hex);
      if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== hex) return undefined;
      value += String.fromCodePoint(Number.parseInt(digits, 16));
      index += 1 + hex;
    } else if (next in PYTHON_ESCAPES) {
      value += PYTHON_ESCAPES[next];
      index += 1;
    } else if (next === '\n') {
      index += 1;
    } else {
      // Python keeps an unknown escape as written (`'\d'` is backslash, d).
      value += `\\${next}`;
      index += 1;
    }
  }
  return undefined;
}

/** `str()` of a Python number literal: ints exactly, floats as Python prints them (`2.0`, `1e-05`, `1e+16`). */
function pythonNumberText(literal: string): string {
  const digits = literal.replace(/_/g, '');
  if (/^[+-]?\d[\d_]*$/.test(literal)) return String(BigInt(digits));
  return pythonFloatRepr(Number(digits));
}

function tokenize(body: string): Token[] | undefined {
  const tokens: Token[] = [];
  let index = 0;
  let expectValue = true;
  while (index < body.length) {
    const character = body[index]!;
    if (/\s/.test(character)) {
      index += 1;
      continue;
    }
    if (character === ',') {
      if (expectValue) return undefined;
      expectValue = true;
      index += 1;
      continue;
    }
    if (!expectValue) return undefined;
    const prefixed = /^[uUrR]?['"]/.exec(body.slice(index, index + 2));
    if (prefixed) {
      const raw = /^[rR]/.test(prefixed[0]);
      const quoteAt = index + prefixed[0].length - 1;
      if (raw) {
        const end = body.indexOf(body[quoteAt]!, quoteAt + 1);
        if (end < 0) return undefined;
        tokens.push({ text: body.slice(quoteAt + 1, end), kind: 'string' });
        index = end + 1;
      } else {
        const read = readString(body, quoteAt);
        if (!read) return undefined;
        tokens.push({ text: read.value, kind: 'string' });
        index = read.end;
      }
      expectValue = false;
      continue;
    }
    const number = /^[+-]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(body.slice(index));
    if (number) {
      tokens.push({ text: pythonNumberText(number[0]), kind: 'number' });
      index += number[0].length;
      expectValue = false;
      continue;
    }
    const word = /^(True|False|None)\b/.exec(body.slice(index));
    if (word) {
      tokens.push({ text: word[1]!, kind: 'word' });
      index += word[0].length;
      expectValue = false;
      continue;
    }
    return undefined;
  }
  return tokens;
}

/**
 * The alternatives of a list-valued answer: a Python list literal or a JSON array of scalars.
 * Undefined when `text` is not such a list (a plain answer), so callers keep it as one alternative.
 */
export function parseAnswerList(text: string): string[] | undefined {
  const trimmed = pythonStrip(text);
  if (!trimmed.startsWith('[') || !trimmed.endsWith(']')) return undefined;
  // Python's literal syntax first (a JSON array of strings and numbers is one too, and Python's reading
  // of `2.0` is what the fork compares against); JSON's own words (null, true) second.
  const tokens = tokenize(trimmed.slice(1, -1));
  if (tokens) return tokens.map((token) => token.text);
  const decoded = parsePythonJson(trimmed, { pythonNumbers: true });
  const parsed = decoded.ok ? decoded.value : undefined;
  const scalar = (entry: unknown) =>
    entry === null || typeof entry !== 'object' || entry instanceof PythonFloat;
  // JSON's true/false stay as written (JSON's words, not Python's); numbers print as Python reads them.
  const asText = (entry: unknown) => (typeof entry === 'boolean' ? String(entry) : pythonStr(entry));
  if (Array.isArray(parsed) && parsed.every(scalar)) return parsed.map(asText);
  // Neither: a plain answer that happens to be bracketed.
  return undefined;
}

/** A reference as its alternatives: the list's entries, or the text itself. */
export function answerAlternatives(reference: string): string[] {
  return parseAnswerList(reference) ?? [reference];
}

/** A row value that may be a list (JSON/parquet arrays) as reference text the scorers parse back. */
export function referenceText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.length > 0 && value.every((entry) => typeof entry !== 'object')) {
    return JSON.stringify(value.map((entry) => String(entry)));
  }
  return undefined;
}
