import { execFileSync } from 'node:child_process';

const UPSTREAM = process.env.DEEPEYESV2_REPO ?? '/work/.mirror/Visual-Agent+DeepEyesV2/repo';

/** DeepEyesV2's RL init cell for this image, from the upstream template read at run time (never copied). */
export function upstreamInitCell(base64Png: string): string {
  const source = execFileSync('git', [
    '-C',
    UPSTREAM,
    'show',
    'HEAD:reinforcement_learning/verl/workers/agent/envs/deepeyesv2/deepeyesv2.py',
  ]).toString();
  const template = /INITIALIZATION_CODE_TEMPLATE = """([\s\S]*?)"""/.exec(source)?.[1];
  if (!template) throw new Error('INITIALIZATION_CODE_TEMPLATE not found in the upstream RL environment');
  return template.replace('{base64_image}', base64Png);
}
