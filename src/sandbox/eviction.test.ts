import { describe, expect, it } from 'vitest';
import { chooseEvictions } from './eviction.js';

const sessions = [
  { id: 'recent', lastActiveAt: 30, busy: false, bytes: 10 },
  { id: 'oldest-busy', lastActiveAt: 1, busy: true, bytes: 500 },
  { id: 'old', lastActiveAt: 10, busy: false, bytes: 20 },
  { id: 'middle', lastActiveAt: 20, busy: false, bytes: 40 },
];

describe('chooseEvictions', () => {
  it('closes nothing when nothing is needed', () => {
    expect(chooseEvictions(sessions, { sessions: 0, bytes: 0 })).toEqual([]);
  });

  it('takes the least recently used idle session, never a busy one', () => {
    expect(chooseEvictions(sessions, { sessions: 1, bytes: 0 })).toEqual(['old']);
  });

  it('takes idle sessions in LRU order until enough memory is freed', () => {
    expect(chooseEvictions(sessions, { sessions: 0, bytes: 50 })).toEqual(['old', 'middle']);
  });

  it('answers null, closing nothing, when every idle session would not be enough', () => {
    expect(chooseEvictions(sessions, { sessions: 0, bytes: 100 })).toBeNull();
    expect(chooseEvictions([{ id: 'a', lastActiveAt: 0, busy: true }], { sessions: 1, bytes: 0 })).toBeNull();
  });
});
