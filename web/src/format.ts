export const percent = (value: unknown) => (typeof value === 'number' ? `${(value * 100).toFixed(1)}%` : '—');
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
export const text = (value: unknown) => (value === null || value === undefined ? '—' : String(value));
