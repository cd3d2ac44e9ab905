import type { ModelImage } from '../protocol/chat-message.js';
import type { ModelTurnReply } from './loop-state.js';
import type { StoredImage, ToolCallRecord, TurnRecord } from './trajectory.js';

/** Where an image is stored beside the trajectory JSON: one file per image id. */
export function storedImage(image: ModelImage): StoredImage {
  const extension = image.mimeType === 'image/jpeg' ? 'jpg' : 'png';
  return { path: `images/${image.id}.${extension}`, width: image.width, height: image.height };
}

/** The model's side of a turn. */
export type ModelTurnPart = {
  turn: number;
  reply: ModelTurnReply;
  /** The assistant text as kept in the chat (prefix and stop string restored). */
  text: string;
  /** The parsed action kind, or `length` for a turn cut by the token limit. */
  action: string;
  modelMs: number;
};

/** The tool's side of a turn, when one ran or an observation was given back. */
export type ToolTurnPart = {
  toolCall?: ToolCallRecord;
  toolMs: number;
  observation?: { text: string; images: ModelImage[] };
};

/**
 * The record of one turn, built once when the turn is complete. Field order is the trajectory
 * JSON's (written files are compared byte for byte).
 */
export function buildTurnRecord(model: ModelTurnPart, tool?: ToolTurnPart): TurnRecord {
  const usage = model.reply.usage;
  return {
    index: model.turn,
    assistant: model.text,
    finishReason: model.reply.finishReason,
    action: model.action,
    promptTokens: usage?.promptTokens,
    completionTokens: usage?.completionTokens,
    modelMs: model.modelMs,
    toolMs: tool?.toolMs ?? 0,
    ...(tool?.toolCall === undefined ? {} : { toolCall: tool.toolCall }),
    ...(tool?.observation === undefined
      ? {}
      : {
          observation: tool.observation.text,
          observationImages: tool.observation.images.map(storedImage),
        }),
  };
}
