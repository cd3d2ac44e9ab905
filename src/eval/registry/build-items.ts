import { referenceText } from '../../reward/verifiers/answer-list.js';
import type { BadRow, DatasetRow } from '../datasets/dataset-row.js';
import { readImageSource } from '../datasets/load-dataset.js';
import type { EvalItem, EvalOption } from '../eval-item.js';
import { letterOptions, OPTION_LETTERS, shuffleOptions } from '../options.js';
import type { BenchmarkDefinition } from './benchmark-definition.js';
import { capabilityCombination, readCapabilities } from './capabilities.js';

export type BuildOptions = {
  /** Seed for option shuffling; the same seed gives the same order on every run. */
  seed: number;
  /** Override the benchmark's default (`true` for V*). */
  shuffleOptions?: boolean;
};

/** Turns loaded rows into items; rows that cannot make a question are returned as bad rows. */
export function buildItems(
  definition: BenchmarkDefinition,
  rows: readonly DatasetRow[],
  options: BuildOptions,
): { items: EvalItem[]; badRows: BadRow[] } {
  const items: EvalItem[] = [];
  const badRows: BadRow[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const result = buildItem(definition, row, options);
    if (result === 'skip') continue;
    if (typeof result === 'string') {
      const id = rowId(row);
      badRows.push({ rowNumber: row.rowNumber, ...(id === undefined ? {} : { id }), reason: result });
      continue;
    }
    if (seen.has(result.id)) {
      badRows.push({ rowNumber: row.rowNumber, id: result.id, reason: `duplicate id ${result.id}` });
      continue;
    }
    seen.add(result.id);
    items.push(result);
  }
  return { items, badRows };
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function rowId(row: DatasetRow): string | undefined {
  const fields = row.fields;
  return (
    text(fields.index) ??
    text(fields.id) ??
    text(fields.pid) ??
    text(fields.question_id) ??
    text(fields.sample_id)
  );
}

/** An item, 'skip' for rows of another split, or the reason the row is bad. */
function buildItem(
  definition: BenchmarkDefinition,
  row: DatasetRow,
  options: BuildOptions,
): EvalItem | string | 'skip' {
  const fields = row.fields;
  if (definition.split && text(fields.split) && text(fields.split) !== definition.split) return 'skip';
  const id = rowId(row) ?? String(row.rowNumber);
  const question = text(fields.question) ?? text(fields.query) ?? text(fields.problem);
  if (!question) return 'no question (expected a question, query or problem field)';
  // A list (JSON/parquet array) is kept as list text; the scorers read its entries as alternatives.
  const reference = [fields.answer, fields.gt_answer, fields.ground_truth]
    .map((value) => text(value) ?? (Array.isArray(value) ? referenceText(value) : undefined))
    .find((value) => value !== undefined);
  if (reference === undefined) return 'no answer (expected an answer field)';

  let choice = readOptions(fields);
  let answer = reference.trim();
  if (choice.length > 0) {
    const letter = answerLetter(answer, choice);
    if (!letter) return `answer "${answer}" is neither an option letter nor an option text`;
    answer = letter;
    if (options.shuffleOptions ?? definition.shuffleOptions) {
      const shuffledChoice = shuffleOptions(choice, letter, options.seed, id);
      choice = shuffledChoice.options;
      answer = shuffledChoice.answerLetter;
    }
  }

  const capabilities = definition.family === 'realx' ? readCapabilities(fields) : undefined;
  if (definition.family === 'realx' && typeof capabilities === 'string') return capabilities;
  const groups: Record<string, string> = {};
  if (capabilities && typeof capabilities !== 'string')
    groups.capabilities = capabilityCombination(capabilities);
  for (const field of definition.categoryFields) {
    const value = text(fields[field]);
    if (value !== undefined && groups[field] === undefined) groups[field] = value;
  }
  const category =
    definition.categoryFields.map((field) => groups[field]).find((value) => value !== undefined) ?? 'all';

  const meta: Record<string, string | number | boolean> = {};
  // image_path: MME pairs the two questions about one image for acc+ (benchmark-metrics.ts).
  const metaKeys = [
    'answer_type',
    'precision',
    'unit',
    'question_type',
    'type',
    'answer_option',
    'image_path',
  ];
  for (const key of metaKeys) {
    const value = fields[key];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      meta[key] = value;
  }
  const images = row.images;
  return {
    id,
    rowNumber: row.rowNumber,
    benchmark: definition.name,
    question,
    prompt: buildPrompt(question, text(fields.hint), choice, definition),
    answer,
    ...(choice.length > 0 ? { options: choice } : {}),
    category,
    groups,
    ...(capabilities && typeof capabilities !== 'string' ? { capabilities } : {}),
    meta,
    loadImages: () => Promise.all(images.map(readImageSource)),
  };
}

/** Options from VLMEvalKit's A, B, … columns or from an `options`/`choices` list. */
function readOptions(fields: Record<string, unknown>): EvalOption[] {
  const fromColumns: EvalOption[] = [];
  for (const letter of OPTION_LETTERS) {
    const value = text(fields[letter]);
    if (value === undefined) break;
    fromColumns.push({ letter, text: value.trim() });
  }
  if (fromColumns.length > 0) return fromColumns;
  let list = fields.options ?? fields.choices;
  if (typeof list === 'string' && list.trim().startsWith('[')) {
    const literal: string = list;
    try {
      list = JSON.parse(literal);
    } catch {
      // A Python list repr, as some exports write it.
      list = [...literal.matchAll(/'([^']*)'/g)].map((match) => match[1]);
    }
  }
  if (!Array.isArray(list)) return [];
  const texts = list.map((entry) => text(entry)).filter((entry): entry is string => entry !== undefined);
  return letterOptions(texts.map((entry) => entry.trim()));
}

function answerLetter(answer: string, options: readonly EvalOption[]): string | undefined {
  const bare = /^\(?([A-Z])\)?\.?$/.exec(answer.trim())?.[1];
  if (bare && options.some((option) => option.letter === bare)) return bare;
  const normalized = normalizeOptionText(answer);
  return options.find((option) => normalizeOptionText(option.text) === normalized)?.letter;
}

function buildPrompt(
  question: string,
  hint: string | undefined,
  options: readonly EvalOption[],
  definition: BenchmarkDefinition,
): string {
  const parts: string[] = [];
  if (hint) parts.push(`Hint: ${hint.trim()}`);
  parts.push(options.length > 0 ? `Question: ${question.trim()}` : question.trim());
  if (options.length > 0) {
    parts.push(['Options:', ...options.map((option) => `${option.letter}. ${option.text}`)].join('\n'));
    parts.push('Answer with the letter of the correct option.');
  } else if (definition.openInstruction) {
    parts.push(definition.openInstruction);
  }
  return parts.join('\n');
}

/** Option text as compared when a reference answer is given as text instead of a letter. */
export function normalizeOptionText(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\s\u00a0]+/g, ' ')
    .replace(/^[\s"'“”‘’]+|[\s"'“”‘’.。!?;,]+$/g, '')
    .trim();
}
