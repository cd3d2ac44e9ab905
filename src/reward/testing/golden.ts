import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

/** Golden fixtures from the DeepEyesV2 release (test/fixtures/golden), read for reward tests. */
const GOLDEN_DIR = new URL('../../../test/fixtures/golden/', import.meta.url);

export function readGolden(name: string): Array<Record<string, unknown> & { kind?: string; id?: string }> {
  return readFileSync(new URL(name, GOLDEN_DIR), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
}

const JUDGE_PROMPT = z.object({
  question: z.string(),
  ground_truth: z.string(),
  prediction: z.string(),
  user: z.string(),
  system: z.string(),
});
const MATH_PROMPT = z.object({
  request: z.object({ messages: z.tuple([z.object({ role: z.literal('user'), content: z.string() })]) }),
});

/**
 * Writes the upstream judge texts, recovered from the fixtures, as the files a user would pass with
 * --judge-prompt-file / --judge-user-template-file / --math-judge-prompt-file. The texts are the
 * authors'; they exist only in the fixtures and in these temporary files, never in our source.
 */
export function writeUpstreamPromptFiles(): { system: string; userTemplate: string; math: string } {
  const judge = readGolden('judge.jsonl');
  const basic = JUDGE_PROMPT.parse(
    judge.find((record) => record.kind === 'judge_prompt' && record.id === 'basic'),
  );
  const userTemplate = basic.user
    .replace(basic.question, '{question}')
    .replace(`]:${basic.ground_truth}\n`, ']:{answer}\n')
    .replace(`]:${basic.prediction}\n`, ']:{prediction}\n');
  const mathRecord = MATH_PROMPT.parse(judge.find((record) => record.kind === 'math_judge_prompt'));
  const math = mathRecord.request.messages[0].content
    .replace('**Question**:\nFind BC.\n', '**Question**:\n{query}\n')
    .replace('**Reference Answer**\n6\n', '**Reference Answer**\n{gold_ans}\n')
    .replace(/## Student Final Answer\n6$/, '## Student Final Answer\n{pred_ans}');
  const directory = mkdtempSync(join(tmpdir(), 'deepeyes-upstream-prompts-'));
  const paths = {
    system: join(directory, 'verify_prompt.md'),
    userTemplate: join(directory, 'judge_user_template.txt'),
    math: join(directory, 'math_verify_prompt.txt'),
  };
  writeFileSync(paths.system, basic.system);
  writeFileSync(paths.userTemplate, userTemplate);
  writeFileSync(paths.math, math);
  return paths;
}
