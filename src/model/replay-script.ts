import { z } from 'zod';
import { InputFormatError } from '../errors.js';
import type { FinishReason } from './chat-model.js';

/** One recorded assistant turn. `finishReason` is kept when the recording has it (a trajectory does). */
export type RecordedTurn = { text: string; finishReason: FinishReason };

/** The recorded turns of one conversation; `key` is set for scripts from a JSONL library. */
export type ReplayScript = { key?: string; turns: RecordedTurn[]; line?: number };

/**
 * The parsed contents of a replay file: either one unkeyed script that plays for every request, or a
 * library of keyed scripts, one per question.
 */
export type ReplayLibrary =
  | { kind: 'single'; script: ReplayScript }
  | { kind: 'library'; scripts: ReplayScript[] };

const turnSchema = z.union([
  z.string(),
  z.looseObject({ assistant: z.string(), finishReason: z.enum(['stop', 'length', 'other']).optional() }),
]);

/**
 * `{"turns": [...]}`: covers a deepeyes `trajectory.json` (turns are `TurnRecord`s with `assistant`),
 * a plain list of texts, and, with `key`, one row of a JSONL library.
 */
const scriptObjectSchema = z.looseObject({
  key: z.string().min(1).optional(),
  turns: z.array(turnSchema).min(1),
});
const libraryRowSchema = scriptObjectSchema.required({ key: true });
const stringListSchema = z.array(z.string()).min(1);

/**
 * Reads a replay file's text. Formats, detected from the content (a `.jsonl` name forces JSONL):
 * - a deepeyes `trajectory.json` (`turns[].assistant`): one script;
 * - `{"turns": ["…", …]}` or `{"turns": [{"assistant": "…"}, …]}`: one script;
 * - `["…", "…"]`: one script;
 * - JSONL, one script per line `{"key": "<item id or question text>", "turns": [...]}`: a library.
 * Throws `InputFormatError` naming the file and, for JSONL, the line of the bad row.
 */
export function parseReplayFile(text: string, fileName: string): ReplayLibrary {
  const forceLines = fileName.endsWith('.jsonl');
  if (!forceLines) {
    let json: unknown;
    let jsonError: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      jsonError = error;
    }
    if (jsonError === undefined) return parseWholeJson(json, fileName);
    if (!looksLikeJsonLines(text)) {
      throw new InputFormatError(
        'replay-file',
        `${fileName} is not JSON or JSONL: ${(jsonError as Error).message}`,
        {
          cause: jsonError,
          hint: REPLAY_FORMATS_HINT,
        },
      );
    }
  }
  return { kind: 'library', scripts: parseJsonLines(text, fileName) };
}

const REPLAY_FORMATS_HINT =
  'A replay file is a trajectory.json, {"turns": [...]}, a JSON array of strings, or JSONL rows {"key": …, "turns": [...]}.';

function parseWholeJson(json: unknown, fileName: string): ReplayLibrary {
  const list = stringListSchema.safeParse(json);
  if (list.success) return { kind: 'single', script: { turns: list.data.map(toTurn) } };
  const parsed = scriptObjectSchema.safeParse(json);
  if (!parsed.success) {
    throw new InputFormatError(
      'replay-file',
      `${fileName} is not a replay script: ${z.prettifyError(parsed.error)}`,
      {
        hint: REPLAY_FORMATS_HINT,
      },
    );
  }
  const script: ReplayScript = { turns: parsed.data.turns.map(toTurn) };
  // A one-line JSONL library is also valid JSON: keep its key so it still matches by question.
  if (parsed.data.key !== undefined)
    return { kind: 'library', scripts: [{ ...script, key: parsed.data.key, line: 1 }] };
  return { kind: 'single', script };
}

function parseJsonLines(text: string, fileName: string): ReplayScript[] {
  const scripts: ReplayScript[] = [];
  const lineOfKey = new Map<string, number>();
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (error) {
      throw new InputFormatError(
        'replay-file',
        `${fileName} line ${line} is not JSON: ${(error as Error).message}`,
        {
          cause: error,
          hint: REPLAY_FORMATS_HINT,
        },
      );
    }
    const parsed = libraryRowSchema.safeParse(json);
    if (!parsed.success) {
      throw new InputFormatError(
        'replay-file',
        `${fileName} line ${line}: ${z.prettifyError(parsed.error)}`,
        {
          hint: REPLAY_FORMATS_HINT,
        },
      );
    }
    const earlier = lineOfKey.get(parsed.data.key);
    if (earlier !== undefined) {
      throw new InputFormatError(
        'replay-file',
        `${fileName} line ${line}: key ${JSON.stringify(parsed.data.key)} is already used on line ${earlier}`,
      );
    }
    lineOfKey.set(parsed.data.key, line);
    scripts.push({ key: parsed.data.key, turns: parsed.data.turns.map(toTurn), line });
  });
  if (scripts.length === 0) throw new InputFormatError('replay-file', `${fileName} holds no replay scripts`);
  return scripts;
}

function looksLikeJsonLines(text: string): boolean {
  const firstLine = text.split('\n').find((line) => line.trim() !== '');
  if (firstLine === undefined) return false;
  try {
    JSON.parse(firstLine);
    return true;
  } catch {
    return false;
  }
}

function toTurn(turn: z.infer<typeof turnSchema>): RecordedTurn {
  if (typeof turn === 'string') return { text: turn, finishReason: 'stop' };
  return { text: turn.assistant, finishReason: turn.finishReason ?? 'stop' };
}
