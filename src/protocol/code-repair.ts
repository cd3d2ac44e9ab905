import { pythonStrip } from './python-text.js';

/**
 * How model code is treated before it runs (`--code-repair`):
 * - `auto` (default): run the code as written; only if it does not compile because of its
 *   indentation (IndentationError / TabError) run {@link repairIndentation}'s version once. A cell
 *   that fails to compile ran nothing, so the retry cannot repeat side effects.
 * - `upstream`: always {@link repairCodeUpstream} (re-indent + autopep8), what the released weights
 *   were trained and evaluated with. It changes the meaning of correct code (statements after a loop
 *   move into it, a call after a `def` moves into the function, …).
 * - `off`: never touch the code.
 */
export const CODE_REPAIR_MODES = ['auto', 'upstream', 'off'] as const;
export type CodeRepairMode = (typeof CODE_REPAIR_MODES)[number];

const DEDENT_KEYWORDS = ['except', 'elif', 'else', 'finally'];
const INDENT_UNIT = '    ';

/**
 * The pure half of upstream's `fix_python_indentation`: strip every line, drop blank lines, then
 * re-indent by four spaces after each line ending in `:` and one level back before a line that
 * starts with except/elif/else/finally (a prefix test, so `elsewhere = 1` dedents too). Upstream's
 * following `textwrap.dedent(...).strip()` cannot change this result, so it is left out.
 *
 * Used alone by the `auto` mode as the retry for code that does not compile.
 */
export function repairIndentation(code: string): string {
  const lines = code
    .split('\n')
    .map((line) => pythonStrip(line))
    .filter((line) => line !== '');
  const fixed: string[] = [];
  let indent = 0;
  for (const line of lines) {
    if (DEDENT_KEYWORDS.some((keyword) => line.startsWith(keyword))) indent = Math.max(0, indent - 1);
    fixed.push(INDENT_UNIT.repeat(indent) + line);
    if (line.endsWith(':')) indent += 1;
  }
  return fixed.join('\n');
}

/** Formats Python source like `autopep8.fix_code(code, options={'aggressive': 2})`. */
export type CodeFormatter = (code: string) => Promise<string>;

/**
 * Upstream's whole `fix_python_indentation`: {@link repairIndentation} then autopep8 (aggressive
 * level 2), returning the code unchanged if formatting fails, as upstream does. The autopep8 pass
 * needs Python: pass `Autopep8Formatter.fixCode` from `src/sandbox/autopep8.ts`.
 */
export async function repairCodeUpstream(code: string, format: CodeFormatter): Promise<string> {
  try {
    return await format(repairIndentation(code));
  } catch {
    return code;
  }
}
