import { readFile as readFileFromDisk } from 'node:fs/promises';
import { UserError } from '../errors.js';

/**
 * Placeholder syntax of user templates: `{question}` (upstream's AGENT_CONFIG and RL prompt) or
 * `{original_text}` (upstream's THINKING_CONFIG). Every occurrence is replaced by the question.
 * All other text, braces included, is kept as written: unlike Python's `str.format`, `{{` is not
 * an escape, so JSON examples need no doubling.
 */
export const QUESTION_PLACEHOLDERS = ['{question}', '{original_text}'] as const;

export function hasQuestionPlaceholder(template: string): boolean {
  return QUESTION_PLACEHOLDERS.some((placeholder) => template.includes(placeholder));
}

export function fillUserTemplate(template: string, question: string): string {
  let text = template;
  for (const placeholder of QUESTION_PLACEHOLDERS) text = text.split(placeholder).join(question);
  return text;
}

export type PromptFiles = {
  /** UTF-8 file holding the exact system prompt. */
  systemPromptFile?: string;
  /** UTF-8 file holding the user template, with a `{question}` placeholder. */
  userTemplateFile?: string;
};

export type LoadedPrompts = { systemPrompt?: string; userTemplate?: string };

/** Reads a file as text; injectable for tests. */
export type ReadTextFile = (path: string) => Promise<string>;

/**
 * Loads prompt texts supplied by the user, e.g. the authors' prompts copied out of upstream's
 * `prompt.py`. Text is read as Python reads it in text mode (a BOM dropped, CRLF and CR turned into
 * LF) and otherwise kept byte for byte, trailing newline included: copy exactly the string's
 * content into the file.
 */
export async function loadPromptFiles(
  files: PromptFiles,
  readFile: ReadTextFile = (path) => readFileFromDisk(path, 'utf8'),
): Promise<LoadedPrompts> {
  const loaded: LoadedPrompts = {};
  if (files.systemPromptFile !== undefined) {
    loaded.systemPrompt = await readPromptFile(files.systemPromptFile, 'system prompt', readFile);
  }
  if (files.userTemplateFile !== undefined) {
    const template = await readPromptFile(files.userTemplateFile, 'user template', readFile);
    if (!hasQuestionPlaceholder(template)) {
      throw new UserError(
        'prompt-template-invalid',
        `the user template ${files.userTemplateFile} has no {question} placeholder`,
        {
          hint: 'write {question} where the question goes, e.g. "{question}\\n\\nPut the final answer inside <answer> </answer>."',
        },
      );
    }
    loaded.userTemplate = template;
  }
  return loaded;
}

async function readPromptFile(path: string, what: string, readFile: ReadTextFile): Promise<string> {
  let text: string;
  try {
    text = await readFile(path);
  } catch (error) {
    throw new UserError('prompt-file-unreadable', `cannot read the ${what} file ${path}`, {
      cause: error,
      hint: 'check the path given to --system-prompt-file / --user-template-file',
    });
  }
  return text.replace(/^\ufeff/, '').replace(/\r\n?/g, '\n');
}
