import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { UserError } from '../../errors.js';

/** A saved checkpoint a model server can load. */
export type Checkpoint = {
  step: number;
  /** The folder to serve: verl's `global_step_N/actor/huggingface`, LLaMA-Factory's `checkpoint-N`. */
  path: string;
  trainer: 'verl' | 'llamafactory';
};

export type FoundCheckpoints = { checkpoints: Checkpoint[]; notes: string[] };

const VERL_STEP = /^global_step_(\d+)$/;
const LLAMAFACTORY_STEP = /^checkpoint-(\d+)$/;
/** Folders the walk never enters: our own evaluation runs, dot folders, Python caches. */
const SKIPPED = /^(?:checkpoint-eval|\..*|__pycache__|node_modules)$/;
const MAX_DEPTH = 5;

/**
 * Finds the checkpoints under a run directory, by step. verl writes
 * `<default_local_dir>/global_step_N/actor/` (FSDP shards) and, with `hf_model` in
 * `checkpoint.save_contents`, a servable `actor/huggingface/`; a step without it is listed in the
 * notes with the merge command. LLaMA-Factory writes `output_dir/checkpoint-N/` (a full model).
 */
export function findCheckpoints(runDir: string): FoundCheckpoints {
  if (!existsSync(runDir) || !statSync(runDir).isDirectory())
    throw new UserError('checkpoints-no-run', `${runDir} is not a directory`, {
      hint: "give --run the training run's directory (verl's default_local_dir or LLaMA-Factory's output_dir, or a folder above them)",
    });
  const byStep = new Map<number, Checkpoint>();
  const notes: string[] = [];
  const add = (checkpoint: Checkpoint) => {
    const seen = byStep.get(checkpoint.step);
    if (seen)
      throw new UserError(
        'checkpoints-ambiguous',
        `two checkpoints for step ${checkpoint.step}: ${seen.path} and ${checkpoint.path}`,
        { hint: 'give --run the directory of one training run' },
      );
    byStep.set(checkpoint.step, checkpoint);
  };
  const walk = (directory: string, depth: number) => {
    for (const name of readdirSync(directory).sort()) {
      const full = join(directory, name);
      if (SKIPPED.test(name) || !statSync(full, { throwIfNoEntry: false })?.isDirectory()) continue;
      const verl = VERL_STEP.exec(name);
      const llamafactory = LLAMAFACTORY_STEP.exec(name);
      if (verl) {
        const servable = join(full, 'actor', 'huggingface');
        if (existsSync(servable)) add({ step: Number(verl[1]), path: servable, trainer: 'verl' });
        else
          notes.push(
            `${relative(runDir, full)}: no actor/huggingface to serve (save it with checkpoint.save_contents including hf_model, or merge: python -m verl.model_merger merge --backend fsdp --local_dir ${join(full, 'actor')} --target_dir ${servable})`,
          );
      } else if (llamafactory) {
        add({ step: Number(llamafactory[1]), path: full, trainer: 'llamafactory' });
      } else if (depth < MAX_DEPTH) {
        walk(full, depth + 1);
      }
    }
  };
  walk(runDir, 0);
  return { checkpoints: [...byStep.values()].sort((a, b) => a.step - b.step), notes };
}
