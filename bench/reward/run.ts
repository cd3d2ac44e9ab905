/**
 * Reward throughput on 10k generated multi-turn trajectories (perception, search, reason), scored
 * in-process through the same scorer the server and CLI use.
 *
 *   npx tsx bench/reward/run.ts [--trajectories 10000] [--repeats 5] [--concurrency 64]
 *
 * Three setups, each timed `repeats` times (median reported):
 * - rules:        no judge, rule verifiers decide (the offline path; sympy off, math answers numeric);
 * - judge-cached: an LLM judge whose every verdict is already in the SQLite judge cache (pre-warmed by
 *                 one untimed pass through a scripted judge model), so only the cache lookup is timed;
 * - server:       rules again, through the reward server (fastify inject, JSON in and out), as trainers
 *                 send them: POST /reward batches of 256 items.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ChatModel, ChatReply, ChatRequest } from '../../src/model/chat-model.js';
import { createRewardScorer, type RewardScorer } from '../../src/reward/compute-reward.js';
import { openJudgeCache } from '../../src/reward/judge/judge-cache.js';
import { LlmJudge } from '../../src/reward/judge/llm-judge.js';
import type { RewardRequest } from '../../src/reward/reward-result.js';
import { buildRewardServer } from '../../src/serve/reward-server.js';

const { values } = parseArgs({
  options: {
    trajectories: { type: 'string', default: '10000' },
    repeats: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '64' },
  },
});
const count = Number(values.trajectories);
const repeats = Number(values.repeats);
const concurrency = Number(values.concurrency);

const codeTurn = (index: number) =>
  `<think>Zoom into region ${index}.</think>\n<code>\n\`\`\`python\ncrop = image_1.crop((0, 0, ${100 + index}, 100))\nprint(crop.size)\n\`\`\`\n</code>`;
const codeObservation = (index: number) =>
  `Code execution result:\nstdout:\n\`\`\`\n(${100 + index}, 100)\n\n\`\`\`\n\nstderr:\n\`\`\`\n\n\`\`\``;
const searchTurn =
  '<think>Look it up.</think>\n<tool_call>\n{"name": "search", "arguments": {"query": "tower height"}}\n</tool_call>';
const searchObservation = `<tool_response>\nA Google search for 'tower height' found 5 results:\n\n## Web Results\n${'1. [Title](http://example.com)\n\nA snippet about the tower.\n\n'.repeat(5)}</tool_response>`;

function decoded(turns: string[], observations: string[]): string {
  let text = turns[0]!;
  for (let index = 1; index < turns.length; index++) {
    text += `<|im_end|>\n<|im_start|>user\n${observations[index - 1]}<|im_end|>\n<|im_start|>assistant\n<think>${turns[index]!.replace('<think>', '')}`;
  }
  return `${text}<|im_end|>`;
}

/** Deterministic mix: 1–4 tool turns, then an answer that is right about two times in three. */
function generate(index: number): RewardRequest {
  const kind = index % 3;
  const toolTurns = 1 + (index % 4);
  const right = index % 3 !== 1;
  if (kind === 0) {
    const answer = right ? `The sign says STOP ${index}` : 'GO';
    const turns = [
      ...Array.from({ length: toolTurns }, (_, turn) => codeTurn(turn)),
      `<think>Read it.</think>\n<answer>${answer}</answer>`,
    ];
    const trajectory = decoded(
      turns,
      Array.from({ length: toolTurns }, (_, turn) => codeObservation(turn)),
    );
    return {
      trajectory,
      groundTruth: `the sign says stop ${index}`,
      dataSource: 'perception',
      question: `What is on sign ${index}?`,
    };
  }
  if (kind === 1) {
    const answer = right ? `${300 + (index % 50)} metres` : 'unknown';
    const turns = [
      ...Array.from({ length: toolTurns }, () => searchTurn),
      `<think>Found.</think>\n<answer>${answer}</answer>`,
    ];
    const trajectory = decoded(
      turns,
      Array.from({ length: toolTurns }, () => searchObservation),
    );
    return {
      trajectory,
      groundTruth: `${300 + (index % 50)} m`,
      dataSource: 'search',
      question: `How tall is tower ${index}?`,
    };
  }
  const answer = right ? `x = \\frac{${(index % 7) + 1}}{4}` : '17';
  const turns = [
    ...Array.from({ length: toolTurns }, (_, turn) => codeTurn(turn)),
    `<think>Solve.</think>\n<answer>${answer}</answer>`,
  ];
  const trajectory = decoded(
    turns,
    Array.from({ length: toolTurns }, (_, turn) => codeObservation(turn)),
  );
  return {
    trajectory,
    groundTruth: String(((index % 7) + 1) / 4),
    dataSource: 'reason',
    question: `Solve ${index}.`,
  };
}

const requests = Array.from({ length: count }, (_, index) => generate(index));

/** Scores every request with at most `concurrency` in flight; returns rewards per second. */
async function timeScoring(score: (request: RewardRequest) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests.length) await score(requests[next++]!);
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** A judge model that answers instantly: Yes/No by comparing the texts, TRUE for math. */
const instantJudge: ChatModel = {
  name: 'instant-judge',
  async complete(request: ChatRequest): Promise<ChatReply> {
    const user = String(request.messages.at(-1)?.content ?? '');
    const text = user.includes('Equivalence') ? '## Equivalence Judgement\nTRUE' : '\\boxed{Yes}';
    return { text, finishReason: 'stop', model: 'instant-judge', latencyMs: 0 };
  },
};

async function measure(name: string, scorer: (request: RewardRequest) => Promise<unknown>) {
  await timeScoring(scorer); // warm-up: JIT, and for the judge, the cache
  const samples: number[] = [];
  for (let run = 0; run < repeats; run++) samples.push(await timeScoring(scorer));
  return { name, median: median(samples), samples };
}

/** Rewards per second when the requests go to the server in batches of `size`, one batch at a time per worker. */
async function measureBatches(name: string, size: number) {
  const batches: RewardRequest[][] = [];
  for (let start = 0; start < requests.length; start += size)
    batches.push(requests.slice(start, start + size));
  const once = async () => {
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.max(1, Math.floor(concurrency / size)) + 1 }, async () => {
        while (next < batches.length) {
          const response = await app.inject({
            method: 'POST',
            url: '/reward',
            payload: { items: batches[next++] },
          });
          if (response.statusCode !== 200) throw new Error(`server answered ${response.statusCode}`);
        }
      }),
    );
    return count / ((performance.now() - started) / 1000);
  };
  await once();
  const samples: number[] = [];
  for (let run = 0; run < repeats; run++) samples.push(await once());
  return { name, median: median(samples), samples };
}

const rules: RewardScorer = createRewardScorer();
const cachePath = join(tmpdir(), `deepeyes-bench-judge-${process.pid}.sqlite`);
const cache = openJudgeCache(cachePath);
const judge = new LlmJudge({ models: [instantJudge], cache, maxConcurrent: concurrency });
const judged = createRewardScorer({ judge });
const app = buildRewardServer({ scorer: rules }, { maxConcurrent: concurrency, maxQueued: count });

const results = [
  await measure('rules', (request) => rules.score(request)),
  await measure('judge-cached', (request) => judged.score(request)),
  await measureBatches('server', 256),
];
const checks = await Promise.all(requests.slice(0, 300).map((request) => rules.score(request)));
const meanScore = checks.reduce((sum, reward) => sum + reward.score, 0) / checks.length;
await app.close();
cache.close();
rmSync(cachePath, { force: true });
rmSync(`${cachePath}-wal`, { force: true });
rmSync(`${cachePath}-shm`, { force: true });

console.log(
  `reward bench: ${count} trajectories (perception/search/reason, 1-4 tool turns), ${repeats} runs, concurrency ${concurrency}`,
);
console.log(
  `judge cache: ${cache.stats.hits} hits, ${cache.stats.misses} misses (misses = the untimed warm-up pass)`,
);
for (const result of results) {
  console.log(
    `${result.name.padEnd(13)} median ${Math.round(result.median).toLocaleString('en-US').padStart(8)} rewards/s   (runs: ${result.samples.map((sample) => Math.round(sample)).join(', ')})`,
  );
}
const [rulesResult, judgeResult, serverResult] = results;
console.log(
  `ratios: judge-cached / rules ${(judgeResult!.median / rulesResult!.median).toFixed(2)}, server / rules ${(serverResult!.median / rulesResult!.median).toFixed(2)}`,
);
console.log(`sanity: mean score of the first 300 = ${meanScore.toFixed(3)}`);
