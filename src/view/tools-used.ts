import { z } from 'zod';
import { TOOL_CATEGORIES } from '../eval/analytics/tool-category.js';

const CODE_CATEGORIES = new Set(['crop', 'numerical', 'mark', 'other-image']);
const SEARCH_CATEGORIES = new Set(['image-search', 'text-search']);
const CODE_TOOLS = new Set(['code', 'image_zoom_in_tool', 'image_rotate_tool']);
const SEARCH_TOOLS = new Set(['search', 'image_search']);

const turnsSchema = z.looseObject({
  turns: z.array(z.looseObject({ toolCall: z.looseObject({ tool: z.string() }).optional() })),
});

/**
 * Which kinds of tool a sample used (none / code / search / both) and its tool categories. The trajectory's
 * calls decide when it is readable (a failed call still counts as used); else the stored tool mix.
 */
export function toolsUsed(
  trajectory: unknown,
  toolMix: Record<string, number>,
): { tools: 'none' | 'code' | 'search' | 'both'; categories: string[] } {
  const categories = TOOL_CATEGORIES.filter((category) => (toolMix[category] ?? 0) > 0);
  let code = categories.some((category) => CODE_CATEGORIES.has(category));
  let search = categories.some((category) => SEARCH_CATEGORIES.has(category));
  const parsed = turnsSchema.safeParse(trajectory);
  if (parsed.success) {
    for (const turn of parsed.data.turns) {
      const tool = turn.toolCall?.tool;
      if (tool && CODE_TOOLS.has(tool)) code = true;
      if (tool && SEARCH_TOOLS.has(tool)) search = true;
    }
  }
  return { tools: code && search ? 'both' : code ? 'code' : search ? 'search' : 'none', categories };
}
