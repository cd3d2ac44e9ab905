import type { StoredImage, ToolCallRecord, Trajectory, TurnRecord } from '../../agent/trajectory.js';
import { writeTrajectory } from '../../agent/write-trajectory.js';
import type { ChatModel } from '../../model/chat-model.js';
import type { ChatMessage } from '../../protocol/chat-message.js';
import type { RunItem } from '../runner/run-item.js';

/**
 * A test double for the agent: asks a (replayed or fake) model for turns with the item id in the
 * request metadata and records its code and search calls WITHOUT running them (canned outputs; a
 * code call that shows an image gets the input image back). It exists so the evaluation pipeline,
 * stores and reports can be exercised end to end without a sandbox; `deepeyes eval` uses the real
 * agent. Trajectories are labelled `tools-not-run`.
 */
export function createToolFreeRunItem(model: ChatModel, options: { maxTurns?: number } = {}): RunItem {
  const maxTurns = options.maxTurns ?? 6;
  return async (item, { signal, outDir }) => {
    const started = Date.now();
    const images = await item.loadImages();
    const files = new Map<string, Uint8Array>();
    const inputImages: StoredImage[] = images.map((bytes, position) => {
      const stored = { path: `images/input-${position + 1}.png`, ...pngSize(bytes) };
      files.set(stored.path, bytes);
      return stored;
    });
    const messages: ChatMessage[] = [{ role: 'user', content: item.prompt }];
    const turns: TurnRecord[] = [];
    let answer: string | null = null;
    for (let index = 0; index < maxTurns && answer === null; index++) {
      const reply = await model.complete({ messages, metadata: { itemId: item.id } }, signal);
      messages.push({ role: 'assistant', content: reply.text });
      answer = /<answer>([\s\S]*?)<\/answer>/.exec(reply.text)?.[1]?.trim() ?? null;
      const toolCall = answer === null ? parseToolCall(reply.text) : undefined;
      const observation = toolCall ? cannedObservation(toolCall) : undefined;
      const showsImage =
        toolCall?.tool === 'code' && /\.show\(\)/.test(toolCall.code) && inputImages[0] !== undefined;
      turns.push({
        index,
        assistant: reply.text,
        finishReason: reply.finishReason,
        action:
          answer !== null
            ? 'answer'
            : toolCall
              ? toolCall.tool === 'image_search'
                ? 'image-search'
                : toolCall.tool
              : 'end',
        ...(toolCall
          ? { toolCall: showsImage && toolCall.tool === 'code' ? { ...toolCall, imageCount: 1 } : toolCall }
          : {}),
        ...(observation
          ? { observation: showsImage ? `${observation}\n\nImages:\n<image>` : observation }
          : {}),
        ...(showsImage ? { observationImages: [inputImages[0]!] } : {}),
        modelMs: reply.latencyMs,
        toolMs: 0,
      });
      if (!toolCall && answer === null) break;
      if (observation) messages.push({ role: 'user', content: observation });
    }
    const trajectory: Trajectory = {
      version: 1,
      id: item.id,
      model: `${model.name} (tools-not-run)`,
      mode: 'agent',
      profile: 'deepeyesv2',
      question: item.prompt,
      inputImages,
      messages: messages.map((message) => ({
        role: message.role,
        content: typeof message.content === 'string' ? message.content : '',
      })),
      turns,
      answer,
      stopReason: answer !== null ? 'answer' : turns.length >= maxTurns ? 'max-turns' : 'no-action',
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      tokens: { prompt: 0, completion: 0 },
    };
    await writeTrajectory(outDir, trajectory, files);
    return trajectory;
  };
}

function parseToolCall(text: string): ToolCallRecord | undefined {
  const code = /<code>[\s\S]*?```python\n([\s\S]*?)\n```/.exec(text)?.[1];
  if (code !== undefined)
    return {
      tool: 'code',
      code,
      codeRun: code,
      status: 'not-run',
      stdout: '(tools not run in this test double)',
      stderr: '',
      imageCount: 0,
    };
  const call = /<tool_call>\s*([\s\S]*?)\s*<\/tool_call>/.exec(text)?.[1];
  if (call === undefined) return undefined;
  try {
    const parsed = JSON.parse(call) as { name?: string; arguments?: { query?: string } };
    if (parsed.name === 'image_search') return { tool: 'image_search', provider: 'canned', resultCount: 2 };
    if (parsed.name === 'search')
      return {
        tool: 'search',
        query: String(parsed.arguments?.query ?? ''),
        provider: 'canned',
        resultCount: 2,
      };
  } catch {
    return undefined;
  }
  return undefined;
}

function cannedObservation(call: ToolCallRecord): string {
  if (call.tool === 'code')
    return `Code execution result:\nstdout:\n\`\`\`\n${call.stdout}\n\`\`\`\n\nstderr:\n\`\`\`\n\n\`\`\``;
  if (call.tool === 'search') {
    return `<tool_response>\nA Google search for '${call.query}' found 2 results:\n\n## Web Results\n1. [Canned result one](https://example.org/1)\n\nA canned snippet.\n\n2. [Canned result two](https://example.org/2)\n\nAnother canned snippet.\n</tool_response>`;
  }
  return '<tool_response>\nA Google image search for the image found 2 results:\n1. [Canned image result]\n2. [Another canned image result]\n</tool_response>';
}

/** Width and height from a PNG header (the test images are PNGs); 0×0 otherwise. */
function pngSize(bytes: Uint8Array): { width: number; height: number } {
  if (bytes.length < 24 || bytes[0] !== 0x89) return { width: 0, height: 0 };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
