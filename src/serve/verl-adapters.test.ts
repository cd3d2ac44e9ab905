/**
 * The Python adapters in integrations/verl, run under Debian's /usr/bin/python3 against stand-ins for
 * the verl classes they touch (integrations/verl/tests/standins, written by us with verl's signatures)
 * and a live env server and reward server on 127.0.0.1 (real kernels, rule-verifier rewards, a
 * scripted search provider). The model inside the Python test is scripted at the token level.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { expect } from 'vitest';
import { gateSandbox } from '../env/session-gate.js';
import { createRewardScorer } from '../reward/compute-reward.js';
import { sandboxTest } from '../sandbox/testing/sandbox-test.js';
import type { SearchProvider } from '../search/search-provider.js';
import { buildEnvServer } from './env-server.js';
import { buildRewardServer } from './reward-server.js';

const ROOT = resolve(import.meta.dirname, '../../integrations/verl');
let envUrl: string;
let rewardUrl: string;

const search: SearchProvider = {
  name: 'scripted',
  async search(query) {
    return [{ title: `About ${query}`, link: 'https://example.org/card', snippet: 'Cards are red or blue.' }];
  },
};

// The fixture owns the kernels and both servers (closed with the file); the test reads their URLs.
const it = sandboxTest({ poolSize: 4 }).extend(
  'servers',
  { scope: 'file', auto: true },
  async ({ sandbox: kernels }, { onCleanup }) => {
    const sandbox = gateSandbox(kernels, 16, 60_000);
    const scorer = createRewardScorer({ profile: 'deepeyesv2' });
    const { app } = buildEnvServer(
      {
        sandbox,
        searchTools: { scripted: { text: search } },
        defaultSearch: 'scripted',
        scorers: { deepeyesv2: scorer },
      },
      { sandboxStats: sandbox.stats },
    );
    const reward = buildRewardServer({ scorer });
    onCleanup(async () => {
      await app.close();
      await reward.close();
    });
    envUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    rewardUrl = await reward.listen({ host: '127.0.0.1', port: 0 });
    return { envUrl, rewardUrl };
  },
);

it('runs the verl adapters: one prompt × 16 samples through the agent loop, its turn and token caps, the fork env, compute_score', async () => {
  const child = spawn('/usr/bin/python3', ['-m', 'unittest', '-v', 'tests.test_adapters'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      PYTHONPATH: [ROOT, `${ROOT}/tests/standins`, `${ROOT}/fork_autoload`].join(':'),
      DEEPEYES_ENV_URL: envUrl,
      DEEPEYES_REWARD_URL: rewardUrl,
      PYTHONDONTWRITEBYTECODE: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const code = await new Promise<number | null>((done) => child.on('close', done));
  clearTimeout(timer);
  expect(output).toMatch(/Ran 4 tests/);
  expect(code, output).toBe(0);
}, 150_000);
