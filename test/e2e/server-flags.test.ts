/**
 * Every flag a server command shows in --help takes effect or is refused: the real executable is started
 * with each flag and its /health (or banner) must show it. (`reward serve` once lost every shared flag to
 * the parent `reward` command, even `--profile bogus`.)
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startFakeOpenAIServer } from '../../src/model/testing/fake-openai-server.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'deepeyes-flags-'));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Starts a server command and resolves with its URL from the banner (stdout or stderr). */
async function serve(args: string[]): Promise<{ url: string; banner: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['bin/deepeyes.js', ...args], { stdio: 'pipe' });
  children.push(child);
  let text = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner from ${args.join(' ')}: ${text}`)), 30_000);
    const onData = (chunk: Buffer) => {
      text += chunk;
      const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ url, banner: text, child });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${text}`)));
  });
}

async function refused(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, ['bin/deepeyes.js', ...args], { timeout: 30_000 });
    return { code: 0, stderr: '' };
  } catch (error) {
    const failed = error as { code: number; stderr: string };
    return { code: failed.code, stderr: failed.stderr };
  }
}

const judge = await startFakeOpenAIServer({
  models: ['judge-7b', 'judge-other'],
  reply: () => '\\boxed{Yes}',
});
afterAll(() => judge.close());

describe('deepeyes reward serve flags', () => {
  it('applies every shared and server flag given after "serve"', async () => {
    const prompt = join(dir, 'judge.txt');
    writeFileSync(prompt, 'You judge answers. Say Yes or No.');
    const template = join(dir, 'user.txt');
    writeFileSync(template, 'Q: {question}\nReference: {answer}\nCandidate: {prediction}');
    const mathPrompt = join(dir, 'math.txt');
    writeFileSync(mathPrompt, 'Are {query} {gold_ans} and {pred_ans} equal? TRUE or FALSE.');
    const cache = join(dir, 'cache.sqlite');
    const { url } = await serve([
      'reward',
      'serve',
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--profile',
      'upstream-rl',
      '--judge-url',
      judge.url,
      '--judge-model',
      'judge-other',
      '--judge-api-key',
      'sk-test',
      '--judge-prompt-file',
      prompt,
      '--judge-user-template-file',
      template,
      '--math-judge-prompt-file',
      mathPrompt,
      '--judge-cache',
      cache,
      '--judge-temperature',
      '0.7',
      '--judge-seed',
      '5',
      '--judge-max-tokens',
      '64',
      '--judge-timeout-ms',
      '4000',
      '--judge-max-attempts',
      '2',
      '--judge-concurrency',
      '3',
      '--no-sympy',
      '--unsafe-no-isolation',
      '--max-concurrent',
      '4',
      '--max-queued',
      '9',
    ]);
    const health = await (await fetch(`${url}/health`)).json();
    expect(health).toMatchObject({
      profile: 'upstream-rl',
      settings: {
        profile: 'upstream-rl',
        judge: 'judge-other',
        judgeUrls: [judge.url],
        judgeModel: 'judge-other',
        judgeApiKey: 'set',
        judgePromptFile: prompt,
        judgeUserTemplateFile: template,
        mathJudgePromptFile: mathPrompt,
        judgeCachePath: cache,
        judgeTemperature: 0.7,
        judgeSeed: 5,
        judgeMaxTokens: 64,
        judgeTimeoutMs: 4000,
        judgeMaxAttempts: 2,
        judgeConcurrency: 3,
        sympy: false,
        unsafeNoIsolation: true,
        maxConcurrent: 4,
        maxQueued: 9,
      },
    });
    expect(JSON.stringify(health)).not.toContain('sk-test');
    // The judge flags reach the judge call itself.
    const before = judge.requests.length;
    const reward = await fetch(`${url}/reward`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        trajectory: '<think>x</think><answer>STOP</answer><|im_end|>',
        ground_truth: 'stop sign',
        data_source: 'perception',
        extra_info: { question: 'What does the sign say?' },
      }),
    });
    expect(reward.status).toBe(200);
    const call = judge.requests.at(before) as Record<string, unknown> | undefined;
    expect(call).toMatchObject({ model: 'judge-other', temperature: 0.7, seed: 5, max_tokens: 64 });
  });

  it('refuses a bad value and a flag placed before "serve"', async () => {
    const bogus = await refused(['reward', 'serve', '--port', '0', '--profile', 'bogus']);
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toMatch(/profile/);
    const misplaced = await refused(['reward', '--profile', 'upstream-rl', 'serve', '--port', '0']);
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toMatch(/--profile given before "serve"/);
  });
});

describe('deepeyes sandbox serve flags', () => {
  it('shows its limits in the banner and refuses a bad value', async () => {
    const { banner, child } = await serve([
      'sandbox',
      'serve',
      '--port',
      '0',
      '--max-sessions',
      '3',
      '--pool-size',
      '0',
      '--token',
      'secret',
    ]);
    expect(banner).toMatch(/max 3 sessions; memory budget \d+ MB; token required/);
    child.kill('SIGTERM');
    const bad = await refused(['sandbox', 'serve', '--port', '0', '--max-sessions', 'many']);
    expect(bad.code).toBe(2);
  });
});
