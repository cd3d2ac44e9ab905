/**
 * The paper's tool-mix categories (Fig. 6 and 10): Crop, Numerical Analysis, Mark, Other image
 * operations, Image Search, Text Search.
 */
export const TOOL_CATEGORIES = [
  'crop',
  'numerical',
  'mark',
  'other-image',
  'image-search',
  'text-search',
] as const;
export type ToolCategory = (typeof TOOL_CATEGORIES)[number];

export const TOOL_CATEGORY_LABELS: Record<ToolCategory, string> = {
  crop: 'Crop/zoom',
  numerical: 'Numerical analysis',
  mark: 'Mark',
  'other-image': 'Other image ops',
  'image-search': 'Image search',
  'text-search': 'Text search',
};
