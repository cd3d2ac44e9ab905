import type { CompatProfile } from './action.js';
import { pythonStrip } from './python-text.js';

/** Placeholder for one attached image inside observation text; {@link toChatContent} turns it into an image part. */
export const IMAGE_PLACEHOLDER = '<image>';

/** Upstream attaches at most this many images to one observation (`max_images_per_round`). */
export const MAX_OBSERVATION_IMAGES = 10;

export type CodeOutput = {
  stdout: string;
  stderr: string;
  /** Images attached to this observation (already capped and filtered by the caller). */
  imageCount: number;
};

/**
 * The user turn after a code call. RL (`deepeyesv2`, `upstream-rl`): upstream's RETURN_CODE_PROMPT
 * with stdout/stderr verbatim, then `Images:` and one `<image>` per image only when there are
 * images, the whole text stripped. `vlmevalkit`: the evaluation agent's template, never stripped,
 * always ending in `Images:\n`; its images follow the text as separate parts (no placeholders).
 * The sandbox's `result` field (last expression value) is not shown by either.
 */
export function renderCodeObservation(output: CodeOutput, profile: CompatProfile): string {
  const streams = `Code execution result:\nstdout:\n\`\`\`\n${output.stdout}\n\`\`\`\n\nstderr:\n\`\`\`\n${output.stderr}\n\`\`\`\n\n`;
  if (profile === 'vlmevalkit') return `${streams}Images:\n`;
  const images = output.imageCount > 0 ? `Images:\n${IMAGE_PLACEHOLDER.repeat(output.imageCount)}` : '';
  return pythonStrip(`${streams}${images}\n`);
}

/**
 * What the model reads after a code block with no code in it. Upstream has no answer here: the RL
 * rollout crashes on a blank fence and ends on an empty one, the evaluation agent crashes on both.
 * deepeyes says what went wrong and lets the episode go on (DESIGN.md, deliberate fixes).
 */
export function renderEmptyCodeObservation(_profile?: CompatProfile): string {
  return 'Error: The code block is empty, so nothing was run. Put the Python code inside a ```python fence within <code> </code>.';
}

/** The text RL shows when the sandbox cannot be reached (upstream then ends the episode). */
export const UPSTREAM_CODE_ERROR_TEXT = 'Code execution error';

/** The text RL shows when a search backend fails (upstream then ends the episode). */
export const UPSTREAM_SEARCH_ERROR_TEXT = 'Search error';

/**
 * What the model reads when a search could not be carried out (provider down, not configured,
 * cache miss). `upstream-rl` gives upstream's text, which upstream never shows: it ends the episode
 * there. deepeyes answers a useful error and the episode goes on.
 */
export function renderSearchErrorObservation(
  profile: CompatProfile,
  tool: 'search' | 'image_search' = 'search',
): string {
  if (profile === 'upstream-rl') return UPSTREAM_SEARCH_ERROR_TEXT;
  return tool === 'image_search'
    ? 'Error: The image search could not be carried out. Continue with the image itself, a text search, or answer with what you know.'
    : 'Error: The search could not be carried out. Try a different query, or answer with what you know.';
}

/** What the model reads when the sandbox itself failed (not the code). */
export function renderSandboxErrorObservation(profile: CompatProfile): string {
  if (profile === 'upstream-rl') return UPSTREAM_CODE_ERROR_TEXT;
  return 'Error: The code could not be run because the Python sandbox is unavailable. Continue without running code.';
}

/** A text search result as the observation needs it (a `SearchHit` fits). */
export type TextSearchResult = {
  title: string;
  link: string;
  /** Absent or null: no snippet line; '' still adds the line break, as upstream. */
  snippet?: string | null;
  /** Absent or null: no date line; '' still prints `Date published: `. */
  date?: string | null;
};

/** Search engines put this phrase in video results; upstream deletes it from every entry. */
const VIDEO_PHRASE = "Your browser can't play this video.";

function wrapToolResponse(content: string): string {
  return pythonStrip(`<tool_response>\n${content}\n</tool_response>\n`);
}

/**
 * The user turn after a text search: `<tool_response>` around upstream's "A Google search for
 * '{query}' found {n} results" list (title, link, optional date, optional snippet per entry).
 */
export function renderSearchObservation(
  query: string,
  results: readonly TextSearchResult[],
  _profile?: CompatProfile,
): string {
  const entries = results.map((result, index) => {
    const date = result.date === undefined || result.date === null ? '' : `\nDate published: ${result.date}`;
    const snippet = result.snippet === undefined || result.snippet === null ? '' : `\n${result.snippet}`;
    return `${index + 1}. [${result.title}](${result.link})${date}\n${snippet}`.replaceAll(VIDEO_PHRASE, '');
  });
  const content = `A Google search for '${query}' found ${entries.length} results:\n\n## Web Results\n${entries.join('\n\n')}`;
  return wrapToolResponse(content);
}

/**
 * The user turn after an image search: one `<image>` per result, each followed by its title.
 * Upstream lists every result but attaches only 10 images; deepeyes callers pass only the results
 * whose image is attached, so placeholders and images agree.
 */
export function renderImageSearchObservation(
  results: readonly { title: string }[],
  _profile?: CompatProfile,
): string {
  const entries = results.map((result, index) =>
    `${index + 1}. ${IMAGE_PLACEHOLDER}\n[${result.title}] \n`.replaceAll(VIDEO_PHRASE, ''),
  );
  const content = `A Google image search for the image found ${entries.length} results:\n\n## Web Results\n${entries.join('\n\n')}`;
  return wrapToolResponse(content);
}
