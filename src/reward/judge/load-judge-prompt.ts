import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { InputFormatError, UserError } from '../../errors.js';
import { type JudgePrompt, promptVersionOf } from './judge-prompts.js';

const PROMPT_FILE = z.object({
  version: z.string().min(1).optional(),
  system: z.string().optional(),
  user: z.string().min(1),
});

async function readText(path: string): Promise<string> {
  try {
    // Python's text-mode read turns CRLF into LF; upstream's verify_prompt.md has CRLF line endings.
    return (await readFile(path, 'utf8')).replace(/\r\n?/g, '\n');
  } catch (cause) {
    throw new UserError('judge-prompt-unreadable', `Cannot read judge prompt file ${path}.`, {
      cause,
      hint: 'Check the path given to --judge-prompt-file / --math-judge-prompt-file.',
    });
  }
}

export type PromptFiles = {
  /**
   * A JSON file `{ "version"?, "system"?, "user" }`, or a plain text file. Plain text is the system
   * prompt of the semantic judge (e.g. upstream's verify_prompt.md) or the whole user template of the
   * math judge; read as is, without trimming, so requests match upstream byte for byte.
   */
  promptFile: string;
  /** A plain text user template that goes with a plain-text system prompt (semantic judge only). */
  userTemplateFile?: string;
};

/** Loads a judge prompt from files. `fallbackUser` is used when a plain system prompt comes alone. */
export async function loadJudgePrompt(
  files: PromptFiles,
  kind: 'system-and-user' | 'user-only',
  fallbackUser: string,
): Promise<JudgePrompt> {
  const text = await readText(files.promptFile);
  if (files.promptFile.endsWith('.json')) {
    let parsed: z.infer<typeof PROMPT_FILE>;
    try {
      parsed = PROMPT_FILE.parse(JSON.parse(text));
    } catch (cause) {
      throw new InputFormatError(
        'judge-prompt-invalid',
        `Judge prompt file ${files.promptFile} is not valid.`,
        {
          cause,
          hint: 'A JSON prompt file holds {"system": "...", "user": "... {question} {reference} {prediction} ..."}.',
        },
      );
    }
    const { version, ...prompt } = parsed;
    return { ...prompt, version: version ?? promptVersionOf(prompt) };
  }
  const prompt =
    kind === 'user-only'
      ? { user: text }
      : {
          system: text,
          user: files.userTemplateFile ? await readText(files.userTemplateFile) : fallbackUser,
        };
  return { ...prompt, version: promptVersionOf(prompt) };
}
