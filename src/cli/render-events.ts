import type { AgentEvent } from '../agent/events.js';
import type { CliIO } from './io.js';

const ansi = {
  dim: '\x1b[2m',
  bold: '\x1b[1m',
  cyan: '\x1b[36m',
  green: '\x1b[32m',
  yellow: '\x1b[33m',
  red: '\x1b[31m',
  reset: '\x1b[0m',
};

function indent(text: string, prefix = '  │ '): string {
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');
}

function clip(text: string, maxLines: number): string {
  const lines = text.replace(/\n$/, '').split('\n');
  if (lines.length <= maxLines) return lines.join('\n');
  return [...lines.slice(0, maxLines), `… (${lines.length - maxLines} more lines)`].join('\n');
}

/** Prints agent events as a readable stream: the model's reasoning, code, outputs, searches, the answer. */
export function eventPrinter(io: CliIO): (event: AgentEvent) => void {
  const paint = (colour: keyof typeof ansi, text: string) =>
    io.interactive ? `${ansi[colour]}${text}${ansi.reset}` : text;
  return (event) => {
    switch (event.type) {
      case 'run-start': {
        const sizes = event.imageSizes.map(([w, h]) => `${w}×${h}`).join(', ') || 'none';
        io.out(
          `${paint('bold', 'deepeyes')} · model ${event.model} · mode ${event.mode} · images ${sizes}\n`,
        );
        io.out(`${paint('bold', 'question')}: ${event.question}\n`);
        return;
      }
      case 'turn-start':
        io.out(`\n${paint('cyan', `── turn ${event.turn + 1}`)}\n`);
        return;
      case 'model-reply': {
        const tokens = event.completionTokens === undefined ? '' : `, ${event.completionTokens} tokens`;
        io.out(
          paint(
            'dim',
            `${indent(clip(event.text, 40))}\n  └ ${event.finishReason}${tokens}, ${Math.round(event.latencyMs)} ms\n`,
          ),
        );
        return;
      }
      case 'tool-call': {
        const call = event.call;
        if (call.tool === 'code') {
          io.out(
            `${paint('yellow', '▶ python')}${call.codeRun !== call.code ? ' (indentation repaired)' : ''}\n${indent(clip(call.codeRun, 30))}\n`,
          );
          if (call.stdout) io.out(`${paint('bold', '  stdout')}\n${indent(clip(call.stdout, 20))}\n`);
          if (call.stderr) io.out(`${paint('red', '  stderr')}\n${indent(clip(call.stderr, 20))}\n`);
          io.out(`  ${call.status}${call.imageCount > 0 ? `, ${call.imageCount} image(s)` : ''}\n`);
        } else if (call.tool === 'search') {
          io.out(
            `${paint('yellow', '▶ search')} "${call.query}" via ${call.provider}: ${call.error ?? `${call.resultCount} results`}\n`,
          );
        } else if (call.tool === 'image_search') {
          io.out(
            `${paint('yellow', '▶ image search')} via ${call.provider}: ${call.error ?? `${call.resultCount} results`}\n`,
          );
        } else {
          io.out(
            `${paint('yellow', `▶ ${call.tool}`)} ${JSON.stringify(call.arguments)}${call.error ? `: ${call.error}` : ''}\n`,
          );
        }
        return;
      }
      case 'observation': {
        const sizes = event.imageSizes.map(([w, h]) => `${w}×${h}`).join(', ');
        io.out(
          paint(
            'dim',
            `  ◀ observation${sizes ? ` with images ${sizes}` : ''} (${Math.round(event.toolMs)} ms)\n`,
          ),
        );
        return;
      }
      case 'answer':
        return;
      case 'error':
        io.out(`${paint('red', '✖')} ${event.message}\n`);
        return;
      case 'run-end':
        io.out(`\n${paint('green', 'answer')}: ${event.answer ?? '(none)'}\n`);
        io.out(
          paint(
            'dim',
            `stopped: ${event.stopReason} after ${event.turns} turn(s), ${(event.durationMs / 1000).toFixed(2)} s\n`,
          ),
        );
        return;
    }
  };
}
