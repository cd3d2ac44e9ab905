/**
 * The chat shapes every layer speaks: the protocol renders observations into them, the image layer
 * fills `ModelImage`, model backends convert them to their wire format.
 */
/** An image as the model receives it: already resized and encoded, reused on every turn. */
export type ModelImage = {
  /** Stable id within a trajectory; backends cache the data URI by it. */
  id: string;
  mimeType: 'image/png' | 'image/jpeg';
  bytes: Uint8Array;
  width: number;
  height: number;
};

export type ContentPart = { type: 'text'; text: string } | { type: 'image'; image: ModelImage };

export type ChatMessage = {
  role: 'system' | 'user' | 'assistant';
  content: string | ContentPart[];
};
