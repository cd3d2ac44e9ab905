import { PythonFloat, pythonFloatRepr } from './python-number.js';

/**
 * Python's `repr()`/`str()`/`type()` of values decoded by `json.loads`, for upstream texts that print
 * them (error messages shown to the model). Floats must arrive as {@link PythonFloat} (from
 * `parsePythonJson(text, { pythonNumbers: true })`) to print as Python does; big ints as bigint.
 */

/** Python's `repr()` of a str: single quotes unless the text holds a single quote and no double quote. */
export function pythonStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let body = '';
  for (const character of text) {
    const code = character.codePointAt(0)!;
    if (character === '\\') body += '\\\\';
    else if (character === quote) body += `\\${quote}`;
    else if (character === '\n') body += '\\n';
    else if (character === '\r') body += '\\r';
    else if (character === '\t') body += '\\t';
    else if (code < 0x20 || code === 0x7f) body += `\\x${code.toString(16).padStart(2, '0')}`;
    else body += character;
  }
  return quote + body + quote;
}

/** Python's `str()` of a value decoded by `json.loads` (dict, list, str, int, float, bool, None). */
export function pythonStr(value: unknown): string {
  return typeof value === 'string' ? value : pythonRepr(value);
}

/** Python's `repr()` of a value decoded by `json.loads`. */
export function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return pythonStringRepr(value);
  if (typeof value === 'number') return pythonNumberRepr(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof PythonFloat) return pythonFloatRepr(value.value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return `{${entries.map(([key, item]) => `${pythonStringRepr(key)}: ${pythonRepr(item)}`).join(', ')}}`;
  }
  return String(value);
}

/** A plain JS number: an int when integral (printed in full, never `1e+21`), else a float. */
function pythonNumberRepr(value: number): string {
  return Number.isInteger(value) ? BigInt(value).toString() : pythonFloatRepr(value);
}

/** The Python type name `json.loads` would give a value (for upstream's TypeError texts). */
export function pythonTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'bigint') return 'int';
  if (value instanceof PythonFloat) return 'float';
  if (Array.isArray(value)) return 'list';
  return 'dict';
}
