/**
 * Turns a normalised LaTeX answer into plain expression text (`((1)/(2))`, `sqrt(2)`, `x**(2)`) that both
 * our numeric evaluator and sympy's `parse_expr` read. Pure string work; never evaluates anything.
 */

/** The index just past the brace group that opens at `open` (which must be `{`), or -1. */
function groupEnd(text: string, open: number): number {
  let depth = 0;
  for (let index = open; index < text.length; index++) {
    if (text[index] === '{') depth++;
    else if (text[index] === '}') {
      depth--;
      if (depth === 0) return index + 1;
    }
  }
  return -1;
}

/** Reads one argument after a command: a brace group or a single character. */
function readArgument(text: string, at: number): { body: string; end: number } | undefined {
  let start = at;
  while (text[start] === ' ') start++;
  if (start >= text.length) return undefined;
  if (text[start] !== '{') return { body: text[start]!, end: start + 1 };
  const end = groupEnd(text, start);
  return end < 0 ? undefined : { body: text.slice(start + 1, end - 1), end };
}

const FRACTION = /\\(?:d|t|c)?frac/;
const SQRT = /\\sqrt/;

function rewriteCommands(text: string): string | undefined {
  let output = '';
  let index = 0;
  while (index < text.length) {
    const rest = text.slice(index);
    const fraction = FRACTION.exec(rest);
    const root = SQRT.exec(rest);
    const next = [fraction, root].filter((match) => match !== null).sort((a, b) => a.index - b.index)[0];
    if (!next) {
      output += rest;
      break;
    }
    output += rest.slice(0, next.index);
    let at = index + next.index + next[0].length;
    if (next === fraction) {
      const numerator = readArgument(text, at);
      const denominator = numerator && readArgument(text, numerator.end);
      if (!numerator || !denominator) return undefined;
      const top = rewriteCommands(numerator.body);
      const bottom = rewriteCommands(denominator.body);
      if (top === undefined || bottom === undefined) return undefined;
      output += `((${top})/(${bottom}))`;
      index = denominator.end;
    } else {
      let degree: string | undefined;
      if (text[at] === '[') {
        const close = text.indexOf(']', at);
        if (close < 0) return undefined;
        degree = text.slice(at + 1, close);
        at = close + 1;
      }
      const radicand = readArgument(text, at);
      if (!radicand) return undefined;
      const inner = rewriteCommands(radicand.body);
      if (inner === undefined) return undefined;
      output += degree === undefined ? `sqrt(${inner})` : `((${inner})**(1/(${degree})))`;
      index = radicand.end;
    }
  }
  return output;
}

const SIMPLE_REPLACEMENTS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\\left|\\right|\\!|\\,|\\;|\\:|\\quad|\\qquad|\$/g, ''],
  [/\\cdot|\\times|×|·/g, '*'],
  [/\\div|÷/g, '/'],
  [/\\pi|π/g, 'pi'],
  [/\\infty|∞/g, 'oo'],
  [/\\%|%/g, ''],
  [/−/g, '-'],
  [/\^/g, '**'],
  [/\\(sin|cos|tan|log|ln|exp)\b/g, '$1'],
];

/** Plain expression text for a LaTeX answer, or undefined when its braces do not balance. */
export function latexToExpression(latex: string): string | undefined {
  const rewritten = rewriteCommands(latex.trim());
  if (rewritten === undefined) return undefined;
  let text = rewritten;
  for (const [pattern, replacement] of SIMPLE_REPLACEMENTS) text = text.replace(pattern, replacement);
  text = text.replaceAll('{', '(').replaceAll('}', ')').replace(/\s+/g, '');
  // Thousands separators in a plain number ("1,000") are not a tuple.
  if (/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(text)) text = text.replaceAll(',', '');
  return text === '' ? undefined : text;
}
