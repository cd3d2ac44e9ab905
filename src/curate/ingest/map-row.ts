import { ANSWER_TYPES, type AnswerType, CATEGORIES, type Category } from '../curation-item.js';
import type { FieldMapping, Preset, SourceConfig } from './source-config.js';

/** A row's item fields before images are stored. */
export type MappedRow = {
  id?: string;
  question: string;
  answer: string;
  options?: Record<string, string>;
  category: Category;
  answerType?: AnswerType;
  /** Image references from a mapped column (file names or base64), when `fields.images` names one. */
  imageReferences?: string[];
};

/** Field paths each preset reads (the user's `fields` win over them). */
const PRESET_FIELDS: Record<Preset, FieldMapping> = {
  // honglyhly/DeepEyesV2_RL: prompt + images + data_source + reward_model + extra_info.
  'deepeyesv2-rl': {
    id: 'extra_info.index',
    question: 'extra_info.question',
    answer: 'reward_model.ground_truth',
    category: 'data_source',
  },
  // MMSearch-R1's FVQA parquet: the same verl layout, search questions.
  'mmsearch-r1': {
    id: 'extra_info.index',
    question: 'extra_info.question',
    answer: 'reward_model.ground_truth',
  },
  // LLaMA-Factory sharegpt: question and answer come out of `messages` (see below).
  'deepeyesv2-sft': { id: 'id' },
  // index, image, question, answer, A…H, category (a subject, not ours).
  vlmevalkit: { id: 'index', question: 'question', answer: 'answer' },
};

const DEFAULT_FIELDS: Required<Omit<FieldMapping, 'images' | 'answerType'>> & FieldMapping = {
  id: 'id',
  question: 'question',
  answer: 'answer',
  options: 'options',
  category: 'category',
};

/** `a.b.c` into nested objects (and JSON strings of objects, as some exports store structs). */
export function readPath(fields: Record<string, unknown>, path: string): unknown {
  let value: unknown = fields;
  for (const part of path.split('.')) {
    if (typeof value === 'string' && value.startsWith('{')) {
      try {
        value = JSON.parse(value);
      } catch {
        return undefined;
      }
    }
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  if (Array.isArray(value) && value.length > 0 && value.every((entry) => typeof entry === 'string'))
    return (value as string[]).join(' or ');
  return undefined;
}

const LETTERS = 'ABCDEFGHIJ';

function readOptions(
  fields: Record<string, unknown>,
  path: string | undefined,
): Record<string, string> | undefined {
  const value = path ? readPath(fields, path) : undefined;
  const parsed = typeof value === 'string' && value.trim().startsWith('[') ? safeJson(value) : value;
  if (Array.isArray(parsed) && parsed.length > 0)
    return Object.fromEntries(parsed.map((entry, index) => [LETTERS[index]!, String(entry)]));
  if (parsed && typeof parsed === 'object')
    return Object.fromEntries(Object.entries(parsed).map(([key, entry]) => [key, String(entry)]));
  // VLMEvalKit: one column per option letter.
  const columns = [...LETTERS].filter(
    (letter) => typeof fields[letter] === 'string' && fields[letter] !== '',
  );
  return columns.length >= 2
    ? Object.fromEntries(columns.map((letter) => [letter, String(fields[letter])]))
    : undefined;
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

export function toCategory(value: unknown): Category | undefined {
  const name = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (name === 'reason' || name === 'math') return 'reasoning';
  return (CATEGORIES as readonly string[]).includes(name) ? (name as Category) : undefined;
}

/** First user turn without `<image>` markers, and the `<answer>` of the last assistant turn. */
function fromShareGpt(fields: Record<string, unknown>): { question?: string; answer?: string } {
  const messages = Array.isArray(fields.messages) ? (fields.messages as Record<string, unknown>[]) : [];
  const user = messages.find(
    (message) => (message.role ?? message.from) === 'user' || message.from === 'human',
  );
  const assistant = messages
    .filter((message) => (message.role ?? message.from) === 'assistant' || message.from === 'gpt')
    .at(-1);
  const content = (message: Record<string, unknown> | undefined) =>
    String(message?.content ?? message?.value ?? '');
  const question = content(user).replaceAll('<image>', '').trim();
  const answer = /<answer>([\s\S]*?)<\/answer>/u.exec(content(assistant))?.[1]?.trim();
  return { ...(question ? { question } : {}), ...(answer ? { answer } : {}) };
}

/** A loader row → item fields, following the preset and the user's mapping. Returns why when it cannot. */
export function mapRow(fields: Record<string, unknown>, source: SourceConfig): MappedRow | string {
  const mapping: FieldMapping = {
    ...DEFAULT_FIELDS,
    ...(source.preset ? PRESET_FIELDS[source.preset] : {}),
    ...source.fields,
  };
  const preset = source.preset === 'deepeyesv2-sft' ? fromShareGpt(fields) : {};
  const fallbackQuestion = text(fields.query) ?? text(fields.problem);
  const question = (text(readPath(fields, mapping.question!)) ?? preset.question ?? fallbackQuestion)?.trim();
  const answer = (
    text(readPath(fields, mapping.answer!)) ??
    preset.answer ??
    text(fields.ground_truth) ??
    text(fields.solution)
  )?.trim();
  if (question === undefined) return `no question (looked in "${mapping.question}")`;
  if (answer === undefined) return `no answer (looked in "${mapping.answer}")`;
  const category =
    toCategory(readPath(fields, mapping.category!)) ??
    source.category ??
    (source.preset === 'mmsearch-r1' ? 'search' : undefined);
  if (!category)
    return 'no category: give the source a category (perception, reasoning or search) or map a column to it';
  const options = readOptions(fields, mapping.options);
  const typeName = mapping.answerType ? text(readPath(fields, mapping.answerType)) : undefined;
  const answerType = (ANSWER_TYPES as readonly string[]).includes(typeName ?? '')
    ? (typeName as AnswerType)
    : undefined;
  const id = text(readPath(fields, mapping.id!)) ?? text(fields.index) ?? text(fields.pid);
  const referenceValue = mapping.images ? readPath(fields, mapping.images) : undefined;
  const imageReferences =
    typeof referenceValue === 'string'
      ? [referenceValue]
      : Array.isArray(referenceValue)
        ? referenceValue.filter((entry): entry is string => typeof entry === 'string')
        : undefined;
  return {
    ...(id === undefined ? {} : { id }),
    question,
    answer,
    ...(options ? { options } : {}),
    category,
    ...(answerType ? { answerType } : {}),
    ...(imageReferences ? { imageReferences } : {}),
  };
}
