import { z } from 'zod';

/**
 * What the deepeyes kernel returns in an `execute_reply`'s metadata when the request
 * asked for `deepeyes_batch`: the IOPub messages it held back, and whether it gave up
 * holding them and streamed the call on IOPub instead (see sandbox_kernel.py).
 */
export type BatchedReply = {
  /** `[msg_type, content]` pairs, in the order the kernel would have published them. */
  outputs: Array<[string, unknown]>;
  /** True when IOPub carried (part of) the call, so its idle status must be awaited. */
  streamed: boolean;
};

/** The request metadata that asks the deepeyes kernel to batch a call's output. */
export const BATCH_REQUEST_METADATA = { deepeyes_batch: true } as const;

const batchSchema = z.object({
  deepeyes: z.object({
    outputs: z.array(z.tuple([z.string(), z.unknown()])),
    streamed: z.boolean(),
  }),
});

/**
 * Reads a reply's metadata. A kernel that does not know the extension (ipykernel, an
 * older deepeyes kernel) sends no such metadata: that reads as a streamed call, so the
 * client waits for IOPub as the standard protocol requires.
 */
export function readBatchedReply(metadata: unknown): BatchedReply {
  const parsed = batchSchema.safeParse(metadata);
  if (!parsed.success) return { outputs: [], streamed: true };
  return parsed.data.deepeyes;
}
