import { readFile } from 'node:fs/promises';
import { z } from 'zod';

const storedImage = z.object({ path: z.string(), width: z.number(), height: z.number() });
const toolCall = z.looseObject({ tool: z.string() });
const turn = z.looseObject({
  index: z.number(),
  assistant: z.string(),
  action: z.string(),
  toolCall: toolCall.optional(),
  observation: z.string().optional(),
  observationImages: z.array(storedImage).optional(),
  modelMs: z.number().optional(),
  toolMs: z.number().optional(),
});

/** The parts of `trajectory.json` the report shows; unknown fields are kept but not needed. */
export const reportTrajectorySchema = z.looseObject({
  id: z.string(),
  model: z.string(),
  mode: z.string(),
  question: z.string(),
  inputImages: z.array(storedImage),
  turns: z.array(turn),
  answer: z.string().nullable(),
  stopReason: z.string(),
  error: z.string().optional(),
  durationMs: z.number(),
});
export type ReportTrajectory = z.infer<typeof reportTrajectorySchema>;

/** Reads a trajectory for display; a missing or malformed file gives the reason instead. */
export async function readTrajectoryForReport(path: string): Promise<ReportTrajectory | { problem: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return { problem: `trajectory file ${path} is missing` };
  }
  try {
    const parsed = reportTrajectorySchema.safeParse(JSON.parse(text));
    return parsed.success
      ? parsed.data
      : { problem: `trajectory file ${path} has an unexpected shape: ${parsed.error.issues[0]?.message}` };
  } catch (error) {
    return { problem: `trajectory file ${path} is not JSON (${(error as Error).message})` };
  }
}
