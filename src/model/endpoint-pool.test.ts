import { describe, expect, it } from 'vitest';
import { EndpointPool } from './endpoint-pool.js';

function poolWithClock(endpoints: string[], coolDownMs = 1_000) {
  const clock = { nowMs: 0 };
  const pool = new EndpointPool(endpoints, { coolDownMs, now: () => clock.nowMs });
  return { pool, clock };
}

describe('EndpointPool', () => {
  it('rotates through the endpoints in order', () => {
    const { pool } = poolWithClock(['a', 'b', 'c']);
    expect(Array.from({ length: 7 }, () => pool.next())).toEqual(['a', 'b', 'c', 'a', 'b', 'c', 'a']);
  });

  it('skips a failed endpoint during its cool-down, then uses it again', () => {
    const { pool, clock } = poolWithClock(['a', 'b', 'c']);
    pool.markFailed('b');
    expect(Array.from({ length: 4 }, () => pool.next())).toEqual(['a', 'c', 'a', 'c']);
    clock.nowMs = 1_000;
    expect(pool.isCoolingDown('b')).toBe(false);
    expect(Array.from({ length: 3 }, () => pool.next())).toEqual(['a', 'b', 'c']);
  });

  it('ends the cool-down at the first success', () => {
    const { pool } = poolWithClock(['a', 'b']);
    pool.markFailed('a');
    expect(pool.isCoolingDown('a')).toBe(true);
    pool.markSucceeded('a');
    expect(pool.next()).toBe('a');
  });

  it('tries the endpoint that failed longest ago when all are cooling down', () => {
    const { pool, clock } = poolWithClock(['a', 'b']);
    pool.markFailed('b');
    clock.nowMs = 10;
    pool.markFailed('a');
    expect(pool.next()).toBe('b');
  });

  it('refuses an empty list', () => {
    expect(() => new EndpointPool([])).toThrow(RangeError);
  });
});
