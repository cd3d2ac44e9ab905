import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DeepeyesError } from '../errors.js';
import { repairCodeUpstream } from '../protocol/code-repair.js';
import { vlmevalkitInitCode } from '../protocol/init-code.js';
import { parseTurn } from '../protocol/parse-turn.js';
import { readObservationRecords, readParseCases } from '../protocol/testing/golden-fixtures.js';
import { Autopep8Formatter } from './autopep8.js';

const formatter = new Autopep8Formatter();
afterAll(() => formatter.close());

describe('upstream code repair (re-indent + autopep8), golden against sandbox_code_sent', () => {
  const cases = readParseCases();

  it('runs the autopep8 the fixtures were made with', async () => {
    await formatter.start();
    const environment = z
      .object({ autopep8_version: z.string() })
      .parse(readObservationRecords().find((record) => record.kind === 'environment'));
    expect(formatter.version).toBe(environment.autopep8_version);
  });

  it('sends exactly what the RL environment sent, for every code turn', async () => {
    let compared = 0;
    for (const item of cases) {
      const action = parseTurn(item.turn, { profile: 'upstream-rl', dataIndex: item.data_index });
      if (action.kind !== 'code') continue;
      expect(await repairCodeUpstream(action.code, formatter.fixCode), item.id).toBe(
        item.rl.sandbox_code_sent.at(-1),
      );
      compared += 1;
    }
    expect(compared).toBe(19);
  });

  it('sends exactly what the evaluation agent sent, mangled tag text and stray "3" included', async () => {
    let compared = 0;
    for (const item of cases) {
      const action = parseTurn(item.turn, { profile: 'vlmevalkit' });
      if (action.kind !== 'code' || item.eval.sandbox_code_sent.length === 0) continue;
      expect(await repairCodeUpstream(action.code, formatter.fixCode), item.id).toBe(
        item.eval.sandbox_code_sent.at(-1),
      );
      compared += 1;
    }
    expect(compared).toBe(26);
  });

  it('formats the evaluation init cell as upstream sent it (long paths wrapped)', async () => {
    const inits = readObservationRecords()
      .filter((record) => record.kind === 'eval_init')
      .map((record) =>
        z.object({ image_path: z.string(), sandbox_request: z.object({ code: z.string() }) }).parse(record),
      );
    for (const init of inits) {
      expect(await repairCodeUpstream(vlmevalkitInitCode(init.image_path), formatter.fixCode)).toBe(
        init.sandbox_request.code,
      );
    }
  });

  it('keeps non-ASCII text intact through the child process', async () => {
    expect(await formatter.fixCode("print( '東京 🗼 café' )")).toBe("print('東京 🗼 café')\n");
  });

  it('answers concurrent calls each with its own result', async () => {
    const results = await Promise.all(
      ['x=1', 'y  =  2', 'def f( a ):\n  return a'].map((code) => formatter.fixCode(code)),
    );
    expect(results).toEqual(['x = 1\n', 'y = 2\n', 'def f(a):\n    return a\n']);
  });
});

describe('Autopep8Formatter lifecycle', () => {
  it('starts again after being closed', async () => {
    const own = new Autopep8Formatter();
    expect(await own.fixCode('a=1')).toBe('a = 1\n');
    await own.close();
    expect(await own.fixCode('b=2')).toBe('b = 2\n');
    await own.close();
  });

  it('fails with a DeepeyesError and a hint when Python is missing', async () => {
    const broken = new Autopep8Formatter({ pythonPath: '/nonexistent/python3' });
    const failure = await broken.fixCode('x=1').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DeepeyesError);
    expect((failure as DeepeyesError).hint).toMatch(/autopep8/);
    // The upstream repair then falls back to the code as written, like upstream's except branch.
    expect(await repairCodeUpstream('x=1', broken.fixCode)).toBe('x=1');
  });
});
