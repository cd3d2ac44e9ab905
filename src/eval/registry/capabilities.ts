import type { Capabilities } from '../eval-item.js';

const NAMES = ['perception', 'search', 'reason'] as const;

/** RealX-Bench's 0/1 flags (numbers, strings or booleans); a reason string when one is missing or not 0/1. */
export function readCapabilities(fields: Record<string, unknown>): Capabilities | string {
  const result: Partial<Capabilities> = {};
  for (const name of NAMES) {
    const value = fields[name];
    const flag =
      value === true || value === 1 || value === '1'
        ? true
        : value === false || value === 0 || value === '0'
          ? false
          : undefined;
    if (flag === undefined)
      return `capability flag "${name}" must be 0 or 1 (got ${JSON.stringify(value) ?? 'nothing'})`;
    result[name] = flag;
  }
  return result as Capabilities;
}

/** `perception+search`, `perception+search+reason` (the paper's Integration), or `none`. */
export function capabilityCombination(capabilities: Capabilities): string {
  const present = NAMES.filter((name) => capabilities[name]);
  return present.length === 0 ? 'none' : present.join('+');
}
