/** Shapes of the viewer's JSON (the server's `/api/…` answers, and the bundle's data files). */
export type SampleRow = {
  id: string;
  position: number;
  verdict: 'right' | 'wrong' | 'error' | 'pending' | 'unscored';
  category: string;
  capabilities: string;
  question: string;
  prediction: string | null;
  reference: string;
  tools: 'none' | 'code' | 'search' | 'both';
  toolCategories: string[];
  toolCalls: number;
  turns: number;
  durationMs: number;
  stopReason: string | null;
  errorKind: string | null;
};

export type Filter = Partial<{
  verdict: string;
  errorKind: string;
  category: string;
  capability: string;
  tools: string;
  toolCategory: string;
  turnsMin: string;
  turnsMax: string;
  stopReason: string;
  q: string;
  sort: string;
  order: string;
}>;

export type RunListing = {
  id: string;
  kind: 'eval' | 'curation' | 'training' | 'trajectories';
  label: string;
  summary: Record<string, unknown> | null;
  error: string | null;
  dataKey?: string;
};

export type GroupStats = {
  key: string;
  items: number;
  scored: number;
  correct: number;
  errors: number;
  accuracy: number | null;
  toolUseRate: number | null;
  toolMix: Record<string, number>;
};

export type RunDetail = RunListing & {
  config?: Record<string, unknown>;
  analytics?: {
    overall: GroupStats;
    byField: { field: string; rows: GroupStats[] }[];
    capabilities?: GroupStats[];
    errorsByKind: Record<string, number>;
    verifiers: Record<string, number>;
    turns: number[];
    durationsMs: number[];
  };
  facets?: { categories: string[]; stopReasons: string[]; errorKinds: string[]; maxTurns: number } | null;
  curation?: {
    funnel: { stage: string; kept: number; dropped: number }[];
    drops: { stage: string; reason: string; count: number }[];
    passRates: { stage: string; passes: number; items: number }[];
    teachers: { teacher: string; attempts: number; accepted: number }[];
    rejected: { id: string; attempt: number; teacher: string; reasons: string[] }[];
  };
  training?: {
    points: { run: string; key: string; step: number; value: number | null }[];
    notes: { note: string }[];
  };
};

export type ImageRef = { url: string | null; width: number; height: number };

export type Turn = {
  index: number;
  assistant: string;
  action: string;
  toolCall?: Record<string, unknown> & { tool: string };
  observation?: string;
  observationImages?: ImageRef[];
  promptTokens?: number;
  completionTokens?: number;
  modelMs?: number;
  toolMs?: number;
};

export type SampleDetail = {
  item: Record<string, unknown> & { id: string };
  trajectory: (Record<string, unknown> & { turns?: Turn[]; inputImages?: ImageRef[] }) | null;
  problem: string | null;
  row: SampleRow | null;
  neighbours: { previous: string | null; next: string | null; index: number };
};

/** How much of a run's full-text search is ready: a large run's text is indexed in the background. */
export type SearchProgress = { indexed: number; total: number };

export type SamplesPage = { total: number; rows: SampleRow[]; search?: SearchProgress | null };

/** A curation run's teacher attempt (`GET /api/runs/:run/attempts/:id/:attempt`). */
export type AttemptDetail = {
  id: string;
  attempt: number;
  teacher: string;
  accepted: boolean;
  reasons: string[];
  trajectory: SampleDetail['trajectory'];
};
