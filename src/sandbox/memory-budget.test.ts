import { describe, expect, it } from 'vitest';
import {
  defaultMemoryBudgetBytes,
  MIN_DEFAULT_BUDGET_BYTES,
  newSessionReservation,
  planBudgetRelief,
  SESSION_BASE_RESERVATION_BYTES,
} from './memory-budget.js';

const MB = 2 ** 20;
const sessions = [
  { id: 'recent-idle', lastActiveAt: 30, busy: false, bytes: 10 * MB },
  { id: 'big-busy', lastActiveAt: 1, busy: true, bytes: 500 * MB },
  { id: 'old-idle', lastActiveAt: 10, busy: false, bytes: 20 * MB },
  { id: 'small-busy', lastActiveAt: 5, busy: true, bytes: 40 * MB },
];

describe('memory budget rules', () => {
  it('defaults to half the RAM minus the server, never below the floor', () => {
    expect(defaultMemoryBudgetBytes(24_000 * MB, 100 * MB)).toBe(11_900 * MB);
    expect(defaultMemoryBudgetBytes(300 * MB, 100 * MB)).toBe(MIN_DEFAULT_BUDGET_BYTES);
  });

  it('reserves a kernel plus each input image decoded as RGBA', () => {
    expect(newSessionReservation([])).toBe(SESSION_BASE_RESERVATION_BYTES);
    expect(newSessionReservation([{ width: 2000, height: 1500 }])).toBe(
      SESSION_BASE_RESERVATION_BYTES + 2000 * 1500 * 4,
    );
  });

  it('does nothing while within the budget', () => {
    expect(planBudgetRelief(sessions, 0)).toEqual({ evict: [], kill: [] });
  });

  it('evicts idle sessions least recently used first, until enough is freed', () => {
    expect(planBudgetRelief(sessions, 15 * MB)).toEqual({ evict: ['old-idle'], kill: [] });
    expect(planBudgetRelief(sessions, 25 * MB)).toEqual({ evict: ['old-idle', 'recent-idle'], kill: [] });
  });

  it('kills the largest running kernels only when every idle session is not enough', () => {
    expect(planBudgetRelief(sessions, 100 * MB)).toEqual({
      evict: ['old-idle', 'recent-idle'],
      kill: ['big-busy'],
    });
  });
});
