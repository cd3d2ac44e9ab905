import { z } from 'zod';

/**
 * Ray Jobs REST shapes (`python/ray/dashboard/modules/job/common.py`, `pydantic_models.py`):
 * `POST /api/jobs/` takes a JobSubmitRequest and answers `{job_id, submission_id}`;
 * `GET /api/jobs/{id}` answers JobDetails; errors are plain-text bodies (404 "Job X does not exist").
 */
export const JOB_STATUSES = ['PENDING', 'RUNNING', 'STOPPED', 'SUCCEEDED', 'FAILED'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const TERMINAL_STATUSES: ReadonlySet<JobStatus> = new Set(['STOPPED', 'SUCCEEDED', 'FAILED']);

export const jobSubmitRequestSchema = z.object({
  entrypoint: z.string().min(1),
  submission_id: z.string().min(1).nullish(),
  runtime_env: z.record(z.string(), z.unknown()).nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  entrypoint_num_cpus: z.number().nullish(),
  entrypoint_num_gpus: z.number().nullish(),
  entrypoint_memory: z.number().int().nullish(),
  entrypoint_resources: z.record(z.string(), z.number()).nullish(),
});
export type JobSubmitRequest = z.infer<typeof jobSubmitRequestSchema>;

export const jobSubmitResponseSchema = z.object({ job_id: z.string().nullable(), submission_id: z.string() });

export const jobDetailsSchema = z.looseObject({
  type: z.enum(['SUBMISSION', 'DRIVER']),
  job_id: z.string().nullish(),
  submission_id: z.string().nullish(),
  status: z.enum(JOB_STATUSES),
  entrypoint: z.string(),
  message: z.string().nullish(),
  error_type: z.string().nullish(),
  /** Unix ms. */
  start_time: z.number().nullish(),
  end_time: z.number().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  runtime_env: z.record(z.string(), z.unknown()).nullish(),
  driver_node_id: z.string().nullish(),
  driver_exit_code: z.number().nullish(),
});
export type JobDetails = z.infer<typeof jobDetailsSchema>;

export const jobLogsResponseSchema = z.object({ logs: z.string() });
export const jobStopResponseSchema = z.object({ stopped: z.boolean() });
export const jobDeleteResponseSchema = z.object({ deleted: z.boolean() });
