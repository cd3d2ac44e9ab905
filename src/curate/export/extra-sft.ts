import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { UserError } from '../../errors.js';
import type { SftSample } from './validate-sft.js';

/** A file of user-supplied SFT samples (e.g. long chain-of-thought text) to mix into the export. */
export const extraSftSourceSchema = z.strictObject({
  path: z.string().min(1),
  /** The mix group its samples count towards (a row's own `category` wins). */
  category: z.string().min(1).default('long-cot'),
  /** Folder its relative image paths are under (default: the file's folder). */
  mediaDir: z.string().optional(),
});
export type ExtraSftSource = z.infer<typeof extraSftSourceSchema>;

export type ExtraSample = {
  id: string;
  category: string;
  messages: SftSample['messages'];
  /** Absolute image paths, in order. */
  imagePaths: string[];
};

const ROLE_ALIASES: Record<string, 'system' | 'user' | 'assistant'> = {
  system: 'system',
  user: 'user',
  human: 'user',
  assistant: 'assistant',
  gpt: 'assistant',
};

const rowSchema = z.looseObject({
  messages: z.array(z.looseObject({})).optional(),
  conversations: z.array(z.looseObject({})).optional(),
  images: z.array(z.string()).optional(),
  category: z.string().optional(),
  id: z.union([z.string(), z.number()]).optional(),
});

/**
 * Reads a sharegpt JSON array or JSONL file: `messages` with role/content (or `conversations` with
 * from/value and human/gpt, LLaMA-Factory's default tags) and optional `images`. A row that is not a
 * sample comes back in `bad` with its line (JSONL) or index (JSON), never silently skipped.
 */
export async function readExtraSft(
  source: ExtraSftSource,
): Promise<{ samples: ExtraSample[]; bad: { file: string; row: number; reason: string }[] }> {
  let text: string;
  try {
    text = await readFile(source.path, 'utf8');
  } catch (error) {
    throw new UserError('curate-extra-missing', `cannot read extra SFT file ${source.path}`, {
      cause: error,
      hint: 'check sftExport.extra[].path in the config (or --extra)',
    });
  }
  const rows: { row: number; value: unknown; error?: string }[] = [];
  if (/^\s*\[/u.test(text)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new UserError(
        'curate-extra-invalid',
        `${source.path} is not valid JSON: ${(error as Error).message}`,
      );
    }
    if (!Array.isArray(parsed))
      throw new UserError('curate-extra-invalid', `${source.path} is not a JSON array of samples`);
    for (const [index, value] of parsed.entries()) rows.push({ row: index + 1, value });
  } else {
    text.split('\n').forEach((line, index) => {
      if (line.trim() === '') return;
      try {
        rows.push({ row: index + 1, value: JSON.parse(line) });
      } catch {
        rows.push({ row: index + 1, value: null, error: 'not JSON' });
      }
    });
  }
  const media = source.mediaDir ?? dirname(source.path);
  const samples: ExtraSample[] = [];
  const bad: { file: string; row: number; reason: string }[] = [];
  const name = basename(source.path);
  for (const { row, value, error } of rows) {
    const where = `${source.path} ${/^\s*\[/u.test(text) ? 'sample' : 'line'} ${row}`;
    if (error) {
      bad.push({ file: source.path, row, reason: `${where}: ${error}` });
      continue;
    }
    const parsed = rowSchema.safeParse(value);
    const turns = parsed.success ? (parsed.data.messages ?? parsed.data.conversations) : undefined;
    if (!parsed.success || !turns) {
      bad.push({ file: source.path, row, reason: `${where}: no messages (or conversations) list` });
      continue;
    }
    const messages: SftSample['messages'] = [];
    let problem: string | undefined;
    for (const turn of turns) {
      const role = ROLE_ALIASES[String(turn.role ?? turn.from ?? '')];
      const content = turn.content ?? turn.value;
      if (!role || typeof content !== 'string') {
        problem = `a turn without a known role and string content (${JSON.stringify(turn).slice(0, 80)})`;
        break;
      }
      messages.push({ role, content });
    }
    if (problem) {
      bad.push({ file: source.path, row, reason: `${where}: ${problem}` });
      continue;
    }
    samples.push({
      id: `extra:${name}:${parsed.data.id ?? row}`,
      category: parsed.data.category ?? source.category,
      messages,
      imagePaths: (parsed.data.images ?? []).map((path) => (isAbsolute(path) ? path : resolve(media, path))),
    });
  }
  return { samples, bad };
}
