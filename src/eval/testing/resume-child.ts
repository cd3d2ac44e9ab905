/**
 * Child process for the kill-and-resume test: runs synthetic items slowly, appending "ran <id>" to
 * a log after each item's run finishes (before its result is stored), until done or SIGKILLed.
 *   node --import tsx resume-child.ts <runDir> <itemCount> <itemMs>
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { runEvaluation } from '../runner/run-evaluation.js';
import { RunStore } from '../runner/run-store.js';
import { createScorer } from '../scoring/create-scorer.js';
import { scriptedTrajectory, syntheticItems } from './scripted-trajectory.js';

const [runDirectory, countText, itemMsText] = process.argv.slice(2);
const items = syntheticItems(Number(countText));
const config = {
  benchmark: 'realx-bench',
  dataPath: 'synthetic',
  models: ['scripted'],
  mode: 'agent' as const,
  seed: 0,
  shuffleOptions: false,
  judge: null,
  extra: {},
};
const store = RunStore.open(runDirectory!, config, { resume: true });
await runEvaluation({
  items,
  store,
  runDirectory: runDirectory!,
  concurrency: 3,
  scorer: createScorer(),
  runItem: async (item) => {
    await new Promise((resolve) => setTimeout(resolve, Number(itemMsText)));
    appendFileSync(join(runDirectory!, 'ran.log'), `ran ${item.id}\n`);
    return scriptedTrajectory(item, {
      answer: Number(item.id.slice(-1)) % 3 === 0 ? 'wrong' : item.answer,
      steps: [{ code: 'print(1)' }],
    });
  },
  onProgress: (progress) => process.stdout.write(`finished ${progress.finished}\n`),
});
store.close();
process.stdout.write('complete\n');
