/**
 * Every flag a server command shows in --help takes effect or is refused: the real executable is started
 * with each flag and its /health (or banner) must show it. (`reward serve` once lost every shared flag to
 * the parent `reward` command, even `--profile bogus`.)
 */
import { type ChildProcess, execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startFakeOpenAIServer } from '../../src/model/testing/fake-openai-server.js';
import { killStarted, startServer } from './helpers/deepeyes-process.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'deepeyes-flags-'));
afterEach(killStarted);

/** Starts a server command and resolves with its URL and banner (stdout and stderr so far). */
async function serve(args: string[]): Promise<{ url: string; banner: string; child: ChildProcess }> {
  const server = await startServer(args);
  return { url: server.url, banner: server.stdout() + server.stderr(), child: server.child };
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

  it('applies each limit flag: each one observed from outside or from inside a kernel', async () => {
    // Not under /tmp: the sandbox mounts its own /tmp and refuses a --ro-path overlapping it.
    const shared = mkdtempSync('/var/tmp/deepeyes-flags-ro-');
    chmodSync(shared, 0o755);
    writeFileSync(join(shared, 'note.txt'), 'shared through --ro-path');
    const { url, banner, child } = await serve([
      'sandbox',
      'serve',
      '--port',
      '0',
      '--token',
      'secret',
      '--max-sessions',
      '5',
      '--memory-budget-mb',
      '3000',
      '--memory-limit-mb',
      '700',
      '--pool-size',
      '1',
      '--process-limit',
      '37',
      '--cpu-time-limit',
      '91',
      '--max-output-chars',
      '100',
      '--max-images',
      '1',
      '--max-body-mb',
      '1',
      '--ro-path',
      shared,
    ]);
    expect(banner).toMatch(/max 5 sessions; memory budget 3000 MB; token required/);
    const headers = { 'content-type': 'application/json', authorization: 'Bearer secret' };
    const call = async (code: string) => {
      const response = await fetch(`${url}/jupyter_sandbox`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ session_id: 'flags', code, timeout: 20 }),
      });
      return {
        status: response.status,
        output: ((await response.json()) as { output: Record<string, unknown> }).output,
      };
    };
    // --token
    const anonymous = await fetch(`${url}/jupyter_sandbox`, { method: 'POST', body: '{}' });
    expect(anonymous.status).toBe(401);
    // --max-sessions, --memory-budget-mb
    const metrics = (await (await fetch(`${url}/metrics`, { headers })).json()) as {
      memory: { budgetMb: number };
      sandbox: { maxSessions: number };
    };
    expect({ budget: metrics.memory.budgetMb, max: metrics.sandbox.maxSessions }).toEqual({
      budget: 3000,
      max: 5,
    });
    // --process-limit, --cpu-time-limit, --memory-limit-mb (address space = what was mapped + 700 MB), --ro-path
    const inside = await call(
      [
        'import resource',
        'print(resource.getrlimit(resource.RLIMIT_NPROC)[0], resource.getrlimit(resource.RLIMIT_CPU)[0])',
        "vm = int([l for l in open('/proc/self/status') if l.startswith('VmSize')][0].split()[1]) * 1024",
        'print(resource.getrlimit(resource.RLIMIT_AS)[0] - vm < 700 * 2**20 + 1)',
        `print(open(${JSON.stringify(join(shared, 'note.txt'))}).read())`,
      ].join('\n'),
    );
    expect(inside.output.stdout).toBe('37 91\nTrue\nshared through --ro-path\n');
    // --max-output-chars
    const long = await call("print('x' * 5000)");
    expect((long.output.stdout as string).length).toBeLessThan(400);
    expect(long.output.stdout).toMatch(/^x{100}/);
    // --max-images
    const figures = await call(
      'import matplotlib.pyplot as plt\nfor i in range(3):\n    plt.figure(); plt.plot([i, 1]); plt.show()',
    );
    expect(figures.output.images).toHaveLength(1);
    // --max-body-mb: answered 413, or the connection closed while the client still writes the
    // oversize body (fastify answers as soon as Content-Length exceeds the limit); never run.
    const big = await fetch(`${url}/jupyter_sandbox`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ session_id: 'flags', code: `x = "${'a'.repeat(2 * 2 ** 20)}"` }),
    }).then(
      (response) => response.status,
      (error: Error) => (error.cause as { code?: string } | undefined)?.code,
    );
    expect(['413', 'EPIPE', 'ECONNRESET']).toContain(String(big));
    child.kill('SIGTERM');
  }, 120_000);
});
