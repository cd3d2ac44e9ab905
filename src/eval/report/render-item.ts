import type { StoredItem } from '../runner/run-store.js';
import { escapeHtml } from './format.js';
import type { ReportTrajectory } from './read-trajectory.js';

/**
 * Turns a stored image path (relative to the trajectory's folder) into what the report shows: `src` (a
 * thumbnail) and `href`, the full-resolution file the thumbnail links to.
 */
export type ImageSource = (relativePath: string) => Promise<{ src: string; href?: string }>;

export type ItemStatusLabel = 'correct' | 'wrong' | 'error' | 'pending';

export function itemStatusLabel(item: StoredItem): ItemStatusLabel {
  if (item.status === 'pending') return 'pending';
  if (item.status === 'error') return 'error';
  return item.correct ? 'correct' : 'wrong';
}

const pre = (text: string, className = '') =>
  `<pre${className ? ` class="${className}"` : ''}>${escapeHtml(text)}</pre>`;

async function images(
  list: { path: string; width: number; height: number }[],
  source: ImageSource,
): Promise<string> {
  if (list.length === 0) return '';
  const tags = await Promise.all(
    list.map(async (image) => {
      const { src, href } = await source(image.path);
      const tag = `<img src="${escapeHtml(src)}" width="${Math.min(image.width, 360)}" alt="${escapeHtml(image.path)} (${image.width}×${image.height})" loading="lazy">`;
      return href ? `<a href="${escapeHtml(href)}" target="_blank" rel="noopener">${tag}</a>` : tag;
    }),
  );
  return `<div class="images">${tags.join('')}</div>`;
}

function renderToolCall(call: Record<string, unknown> & { tool: string }): string {
  const field = (name: string) => (typeof call[name] === 'string' ? (call[name] as string) : '');
  if (call.tool === 'code') {
    const stdout = field('stdout');
    const stderr = field('stderr');
    return `<div class="tool code"><div class="label">python · ${escapeHtml(field('status'))}</div>${pre(field('codeRun') || field('code'), 'source')}${stdout ? `<div class="label">stdout</div>${pre(stdout)}` : ''}${stderr ? `<div class="label">stderr</div>${pre(stderr, 'stderr')}` : ''}</div>`;
  }
  if (call.tool === 'search') {
    return `<div class="tool search"><div class="label">text search via ${escapeHtml(field('provider'))}: “${escapeHtml(field('query'))}” → ${escapeHtml(String(call.resultCount ?? 0))} results${call.error ? ` (${escapeHtml(String(call.error))})` : ''}</div></div>`;
  }
  if (call.tool === 'image_search') {
    return `<div class="tool search"><div class="label">image search via ${escapeHtml(field('provider'))} → ${escapeHtml(String(call.resultCount ?? 0))} results${call.error ? ` (${escapeHtml(String(call.error))})` : ''}</div></div>`;
  }
  return `<div class="tool"><div class="label">${escapeHtml(call.tool)}</div>${pre(JSON.stringify(call.arguments ?? null))}</div>`;
}

function isProblem(value: ReportTrajectory | { problem: string }): value is { problem: string } {
  return !('turns' in value);
}

/** One item: header line, then (in a collapsed details element) the whole trajectory. */
export async function renderItem(
  item: StoredItem,
  runIndex: number,
  runLabel: string,
  trajectory: ReportTrajectory | { problem: string } | undefined,
  source: ImageSource,
): Promise<string> {
  const status = itemStatusLabel(item);
  const verifier = typeof item.score?.verifier === 'string' ? item.score.verifier : '';
  const detail = typeof item.score?.detail === 'string' ? item.score.detail : '';
  const summary = `<summary><span class="badge ${status}">${status}</span> <span class="id">${escapeHtml(item.id)}</span> <span class="category">${escapeHtml(item.category)}</span> <span class="run-label">${escapeHtml(runLabel)}</span> <span class="tools">${item.toolCalls ?? 0} tool call(s)</span> <span class="question">${escapeHtml(item.question.slice(0, 140))}</span></summary>`;
  const facts = [
    `<div><b>reference</b> ${escapeHtml(item.reference)}</div>`,
    `<div><b>prediction</b> ${escapeHtml(item.prediction ?? '(none)')}</div>`,
    verifier
      ? `<div><b>decided by</b> ${escapeHtml(verifier)}${detail ? ` — ${escapeHtml(detail.slice(0, 300))}` : ''}</div>`
      : '',
    item.error
      ? `<div class="error-text"><b>error (${escapeHtml(item.errorKind ?? '')})</b> ${escapeHtml(item.error)}</div>`
      : '',
  ].join('');
  let body = '';
  if (trajectory === undefined) body = '<p class="note">no trajectory recorded</p>';
  else if (isProblem(trajectory)) body = `<p class="note">${escapeHtml(trajectory.problem)}</p>`;
  else {
    const turns = await Promise.all(
      trajectory.turns.map(async (turn) => {
        const call = turn.toolCall
          ? renderToolCall(turn.toolCall as Record<string, unknown> & { tool: string })
          : '';
        const observation = turn.observation
          ? `<div class="label">observation</div>${pre(turn.observation, 'observation')}`
          : '';
        return `<li class="turn"><div class="label">turn ${turn.index + 1} · ${escapeHtml(turn.action)}</div>${pre(turn.assistant, 'assistant')}${call}${observation}${await images(turn.observationImages ?? [], source)}</li>`;
      }),
    );
    body = `<div class="label">question (${escapeHtml(trajectory.model)}, ${escapeHtml(trajectory.mode)})</div>${pre(trajectory.question, 'prompt')}${await images(trajectory.inputImages, source)}<ol class="turns">${turns.join('')}</ol><div class="note">stopped: ${escapeHtml(trajectory.stopReason)}${trajectory.error ? ` — ${escapeHtml(trajectory.error)}` : ''}, ${(trajectory.durationMs / 1000).toFixed(2)} s</div>`;
  }
  return `<article class="item" data-status="${status}" data-category="${escapeHtml(item.category)}" data-run="${runIndex}"><details>${summary}<div class="facts">${facts}</div>${body}</details></article>`;
}
