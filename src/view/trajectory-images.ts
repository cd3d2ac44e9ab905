/**
 * Replaces every stored image `{ path, width, height }` in a trajectory with `{ url, width, height }`, so the
 * browser fetches images as files (never base64 in JSON). `toUrl` returns null for paths it will not serve.
 */
export function rewriteImagePaths(value: unknown, toUrl: (path: string) => string | null): unknown {
  if (Array.isArray(value)) return value.map((entry) => rewriteImagePaths(entry, toUrl));
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  if (
    typeof record.path === 'string' &&
    typeof record.width === 'number' &&
    typeof record.height === 'number'
  ) {
    return { ...record, url: toUrl(record.path) };
  }
  return Object.fromEntries(
    Object.entries(record).map(([key, inner]) => [key, rewriteImagePaths(inner, toUrl)]),
  );
}
