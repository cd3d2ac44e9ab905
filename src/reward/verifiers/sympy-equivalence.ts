import { z } from 'zod';
import type { Sandbox, SandboxSession } from '../../sandbox/sandbox.js';

/**
 * Symbolic equivalence decided by sympy inside a sandbox session (model answers are hostile input and
 * `parse_expr` evaluates Python, so it never runs in this process). Answers travel as base64 JSON data,
 * never spliced into code text.
 */
export interface SymbolicEquivalence {
  /** For each [left, right] pair: true, false, or null when sympy could not decide. */
  equivalent(pairs: ReadonlyArray<readonly [string, string]>): Promise<Array<boolean | null>>;
  close(): Promise<void>;
}

// Defined once per session. Every single ASCII letter is a plain symbol (so "N", "S", "I", "Q" are not
// sympy objects) except `e`, Euler's number; `pi`, `sqrt`, `oo` keep their sympy meanings.
const HELPER_CODE = `
def __deepeyes_equivalent(payload):
    import base64, json, string
    import sympy
    from sympy.parsing.sympy_parser import parse_expr, standard_transformations, implicit_multiplication_application, convert_xor
    transformations = standard_transformations + (implicit_multiplication_application, convert_xor)
    names = {letter: sympy.Symbol(letter) for letter in string.ascii_letters}
    names['e'] = sympy.E
    def same(left, right):
        a = parse_expr(left, local_dict=dict(names), transformations=transformations)
        b = parse_expr(right, local_dict=dict(names), transformations=transformations)
        if isinstance(a, tuple) or isinstance(b, tuple):
            if not (isinstance(a, tuple) and isinstance(b, tuple)) or len(a) != len(b):
                return False
            return all(sympy.simplify(x - y) == 0 for x, y in zip(a, b))
        difference = sympy.simplify(a - b)
        if difference == 0:
            return True
        if difference.is_number:
            return abs(complex(difference.evalf())) < 1e-9
        return False
    results = []
    for left, right in json.loads(base64.b64decode(payload).decode('utf-8')):
        try:
            results.append(bool(same(left, right)))
        except Exception:
            results.append(None)
    print(json.dumps(results))
`;

const RESULTS = z.array(z.boolean().nullable());

export type SympyEquivalenceOptions = {
  /** Budget for one batch of comparisons, in ms. Default 10 000. */
  timeoutMs?: number;
};

/** Opens one sandbox session lazily and runs every comparison in it, one batch at a time. */
export function createSympyEquivalence(
  sandbox: Sandbox,
  options: SympyEquivalenceOptions = {},
): SymbolicEquivalence {
  const timeoutMs = options.timeoutMs ?? 10_000;
  let session: Promise<SandboxSession> | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  async function openSession(): Promise<SandboxSession> {
    const opened = await sandbox.openSession();
    const setup = await opened.execute(HELPER_CODE, { timeoutMs });
    if (setup.status !== 'ok') {
      await opened.close();
      throw new Error(`sympy helper did not load: ${setup.stderr || setup.status}`);
    }
    return opened;
  }

  async function run(pairs: ReadonlyArray<readonly [string, string]>): Promise<Array<boolean | null>> {
    const undecided = pairs.map(() => null);
    session ??= openSession();
    let current: SandboxSession;
    try {
      current = await session;
    } catch {
      session = undefined;
      return undecided;
    }
    const payload = Buffer.from(JSON.stringify(pairs), 'utf8').toString('base64');
    const execution = await current.execute(`__deepeyes_equivalent('${payload}')`, { timeoutMs });
    if (execution.status === 'killed' || execution.status === 'dead') session = undefined;
    if (execution.status !== 'ok') return undecided;
    const lastLine = execution.stdout.trim().split('\n').at(-1) ?? '';
    try {
      const parsed = RESULTS.safeParse(JSON.parse(lastLine));
      return parsed.success && parsed.data.length === pairs.length ? parsed.data : undecided;
    } catch {
      return undecided;
    }
  }

  return {
    equivalent(pairs) {
      const result = queue.then(() => run(pairs));
      queue = result.catch(() => undefined);
      return result;
    },
    async close() {
      const current = session;
      session = undefined;
      if (current) await (await current.catch(() => undefined))?.close();
    },
  };
}
