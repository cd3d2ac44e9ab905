/**
 * What vLLM does with `stop` strings: generation ends at the earliest occurrence of any of them, the
 * stop string itself is not part of the returned text, and the reply names it (`stop_reason`).
 * Replayed and fake models apply it so they answer exactly like a real server.
 */
export function applyStopSequences(
  text: string,
  stop: readonly string[] | undefined,
): { text: string; stopSequence?: string } {
  let earliest: { index: number; sequence: string } | undefined;
  for (const sequence of stop ?? []) {
    if (sequence === '') continue;
    const index = text.indexOf(sequence);
    if (index === -1) continue;
    // vLLM checks the stop strings as tokens arrive, so the one that completes first wins.
    if (earliest === undefined || index + sequence.length < earliest.index + earliest.sequence.length) {
      earliest = { index, sequence };
    }
  }
  if (earliest === undefined) return { text };
  return { text: text.slice(0, earliest.index), stopSequence: earliest.sequence };
}
