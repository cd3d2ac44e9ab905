import { InputFormatError } from '../errors.js';
import { executeRequestContent } from './jupyter-message.js';
import type { KernelProcess } from './kernel-process.js';
import type { SessionImage } from './sandbox.js';

/** Writes a session's input images into the kernel's read-only inputs dir and opens them as image_1, image_2, … */
export async function loadImages(kernel: KernelProcess, images: SessionImage[]): Promise<void> {
  if (images.length === 0) return;
  const paths = images.map((image, index) => {
    const name = `image_${index + 1}`;
    kernel.writeInput(name, image.bytes);
    return `${kernel.inputsDirInside}/${name}`;
  });
  const { msgId, reply } = kernel.connection.request(
    'shell',
    'execute_request',
    executeRequestContent(`__deepeyes_load_images(${JSON.stringify(paths)})`, { silent: true }),
  );
  try {
    const message = await reply;
    const content = message.content as { status?: string; ename?: string; evalue?: string };
    if (content.status !== 'ok') {
      throw new InputFormatError(
        'image-unreadable',
        `An input image could not be opened: ${content.ename}: ${content.evalue}`,
        {
          hint: 'Send PNG, JPEG, WebP or another format PIL opens.',
        },
      );
    }
  } finally {
    kernel.connection.release(msgId);
  }
}
