import type { AgentRun } from '../../agent/run-agent.js';
import type { StoredImage, Trajectory } from '../../agent/trajectory.js';
import type { ImageStore } from './image-store.js';

/** Image paths in a stored trajectory: `sha256:<hex>`, resolved through the image store. */
export const SHA_PREFIX = 'sha256:';

/**
 * Moves a trajectory's image files into the content-addressed image store and points the
 * trajectory at them, so the store holds each picture once and the JSON stays small.
 */
export async function storeTrajectory(run: AgentRun, images: ImageStore): Promise<Trajectory> {
  const shaByPath = new Map<string, string>();
  for (const [path, bytes] of run.files) shaByPath.set(path, (await images.put(bytes)).sha256);
  const remap = (image: StoredImage): StoredImage => {
    const sha = shaByPath.get(image.path);
    return sha ? { ...image, path: `${SHA_PREFIX}${sha}` } : image;
  };
  const trajectory = run.trajectory;
  return {
    ...trajectory,
    inputImages: trajectory.inputImages.map(remap),
    messages: trajectory.messages.map((message) =>
      typeof message.content === 'string'
        ? message
        : {
            ...message,
            content: message.content.map((part) =>
              part.type === 'image' ? { ...part, image: remap(part.image) } : part,
            ),
          },
    ),
    turns: trajectory.turns.map((turn) =>
      turn.observationImages ? { ...turn, observationImages: turn.observationImages.map(remap) } : turn,
    ),
  };
}
