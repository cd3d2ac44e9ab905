import { useEffect, useState } from 'preact/hooks';
import type { DataSource } from './data-source';
import { seconds, text } from './format';
import type { Route } from './state';
import type { AttemptDetail, ImageRef, SampleDetail, Turn } from './types';

type ViewProps = { source: DataSource; route: Route; go: (route: Partial<Route>) => void };

function Picture({ image }: { image: ImageRef }) {
  const [zoomed, setZoomed] = useState(false);
  if (!image.url) return <span class="error">image outside the run, not shown</span>;
  return (
    <figure
      class={zoomed ? 'zoomed' : ''}
      onClick={() => setZoomed(!zoomed)}
      onKeyDown={(event) => event.key === 'Enter' && setZoomed(!zoomed)}
    >
      <img
        src={image.url}
        loading="lazy"
        width={zoomed ? undefined : Math.min(image.width, 320)}
        alt={`${image.width}×${image.height}`}
      />
      <figcaption>
        {image.width}×{image.height}
      </figcaption>
    </figure>
  );
}

const KEYWORDS =
  /\b(import|from|def|return|for|in|if|else|elif|while|print|with|as|lambda|None|True|False)\b/g;

/** Python with keywords, strings and comments marked (enough to read; no external highlighter). */
function Code({ source }: { source: string }) {
  const html = source
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(
      /(#[^\n]*)|("[^"\n]*"|'[^'\n]*')|\b(import|from|def|return|for|in|if|else|elif|while|print|with|as|lambda|None|True|False)\b/g,
      (match, comment, string) =>
        `<span class="${comment ? 'comment' : string ? 'string' : 'keyword'}">${match}</span>`,
    );
  void KEYWORDS;
  return <pre class="code" dangerouslySetInnerHTML={{ __html: html }} />;
}

const URL_PATTERN = /https?:\/\/[^\s)"'<>]+/g;

function Observation({ textValue }: { textValue: string }) {
  const parts: (string | { url: string })[] = [];
  let last = 0;
  for (const match of textValue.matchAll(URL_PATTERN)) {
    parts.push(textValue.slice(last, match.index), { url: match[0] });
    last = (match.index ?? 0) + match[0].length;
  }
  parts.push(textValue.slice(last));
  return (
    <pre class="observation">
      {parts.map((part, index) =>
        typeof part === 'string' ? (
          part
        ) : (
          <a key={index} href={part.url} target="_blank" rel="noreferrer noopener">
            {part.url}
          </a>
        ),
      )}
    </pre>
  );
}

function TurnView({ turn }: { turn: Turn }) {
  const reasoning = [...turn.assistant.matchAll(/<think>([\s\S]*?)(?:<\/think>|$)/g)]
    .map((match) => match[1])
    .join('\n');
  const answer = /<answer>([\s\S]*?)<\/answer>/.exec(turn.assistant)?.[1];
  const call = turn.toolCall;
  return (
    <article class="turn" data-turn={turn.index}>
      <header>
        turn {turn.index + 1} · {turn.action} · {text(turn.promptTokens)} prompt /{' '}
        {text(turn.completionTokens)} completion tokens · model {seconds(turn.modelMs ?? 0)}, tool{' '}
        {seconds(turn.toolMs ?? 0)}
      </header>
      {reasoning && (
        <details open>
          <summary>reasoning</summary>
          <p class="reasoning">{reasoning}</p>
        </details>
      )}
      {call?.tool === 'code' && (
        <>
          <Code source={String(call.code ?? '')} />
          {call.stdout ? <pre class="stdout">{String(call.stdout)}</pre> : null}
          {call.stderr ? <pre class="stderr">{String(call.stderr)}</pre> : null}
        </>
      )}
      {(call?.tool === 'search' || call?.tool === 'image_search') && (
        <p class="search">
          {call.tool === 'search' ? `search: “${String(call.query)}”` : 'image search'} ·{' '}
          {String(call.resultCount ?? '?')} results {call.error ? `· ${String(call.error)}` : ''}
        </p>
      )}
      {turn.observation && call?.tool !== 'code' && <Observation textValue={turn.observation} />}
      {turn.observationImages?.map((image, index) => (
        <Picture key={index} image={image} />
      ))}
      {answer !== undefined && (
        <p class="answer">
          answer: <b>{answer}</b>
        </p>
      )}
    </article>
  );
}

/** Score fields shown by name, in this order; anything else the scorer stored follows as JSON. */
const SCORE_FIELDS: [string, string][] = [
  ['verifier', 'decided by'],
  ['mode', 'scoring mode'],
  ['judge', 'judge'],
  ['promptVersion', 'judge prompt version'],
  ['judgePromptVersion', 'judge prompt version'],
  ['extracted', 'answer read as'],
  ['detail', 'raw verdict / detail'],
  ['judgeVerdict', 'judge verdict'],
  ['judgeCalls', 'judge calls'],
  ['predictionSource', 'prediction from'],
];

/** The scoring detail: which verifier decided, the judge and its prompt version, the raw verdict. */
function Scoring({ score }: { score: unknown }) {
  if (!score || typeof score !== 'object') return <span>—</span>;
  const record = score as Record<string, unknown>;
  const named = SCORE_FIELDS.filter(([key]) => record[key] !== undefined && record[key] !== null);
  const rest = Object.fromEntries(
    Object.entries(record).filter(
      ([key]) => key !== 'verdict' && !SCORE_FIELDS.some(([known]) => known === key),
    ),
  );
  return (
    <dl class="scoring">
      {named.map(([key, label]) => (
        <div key={key}>
          <dt>{label}</dt>
          <dd data-score={key}>{String(record[key])}</dd>
        </div>
      ))}
      {record.judge !== undefined &&
        record.promptVersion === undefined &&
        record.judgePromptVersion === undefined && (
          <div>
            <dt>judge prompt version</dt>
            <dd>not recorded in this run</dd>
          </div>
        )}
      {Object.keys(rest).length > 0 && (
        <div>
          <dt>other</dt>
          <dd>
            <code>{JSON.stringify(rest)}</code>
          </dd>
        </div>
      )}
    </dl>
  );
}

export function Trajectory({ detail }: { detail: SampleDetail }) {
  const trajectory = detail.trajectory;
  const item = detail.item;
  return (
    <div class="trajectory">
      <p class="question">{text(item.question ?? trajectory?.question)}</p>
      <div class="inputs">
        {trajectory?.inputImages?.map((image, index) => (
          <Picture key={index} image={image} />
        ))}
      </div>
      {detail.problem && <p class="error">{detail.problem}</p>}
      <table class="stats">
        <tbody>
          <tr>
            <td>answer</td>
            <td>{text(item.prediction ?? trajectory?.answer)}</td>
          </tr>
          <tr>
            <td>target</td>
            <td>{text(item.reference)}</td>
          </tr>
          <tr>
            <td>verdict</td>
            <td>{detail.row?.verdict ?? '—'}</td>
          </tr>
          <tr>
            <td>scoring</td>
            <td>
              <Scoring score={item.score} />
            </td>
          </tr>
          <tr>
            <td>stop</td>
            <td>
              {text(item.stopReason ?? trajectory?.stopReason)} {item.error ? `· ${String(item.error)}` : ''}
            </td>
          </tr>
        </tbody>
      </table>
      {trajectory?.turns?.map((turn) => (
        <TurnView key={turn.index} turn={turn} />
      ))}
    </div>
  );
}

/** One sample's trajectory, with previous / next under the grid's filter. */
export function TrajectoryView({
  source,
  route,
  go,
}: {
  source: DataSource;
  route: Route;
  go: (route: Partial<Route>) => void;
}) {
  const [detail, setDetail] = useState<SampleDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setDetail(null);
    let stale = false;
    let pending = false;
    const load = () =>
      source.sample(route.run!, route.sample!, route.filter).then(
        (loaded) => {
          if (stale) return;
          pending = loaded.row?.verdict === 'pending';
          setDetail(loaded);
        },
        (failure: Error) => !stale && setError(failure.message),
      );
    void load();
    // A sample still pending in a run being written is shown once it is done.
    const unsubscribe = source.subscribe((runs) => {
      if (pending && (!runs || runs.includes(route.run!))) void load();
    });
    return () => {
      stale = true;
      unsubscribe();
    };
  }, [route.run, route.sample, JSON.stringify(route.filter)]);
  if (error) return <p class="error">{error}</p>;
  if (!detail) return <p>Loading trajectory…</p>;
  return (
    <section>
      <nav class="neighbours">
        <button type="button" onClick={() => go({ view: 'samples', sample: undefined })}>
          ↑ samples
        </button>
        <button
          type="button"
          disabled={!detail.neighbours.previous}
          onClick={() => go({ sample: detail.neighbours.previous! })}
        >
          ← previous
        </button>
        <button
          type="button"
          disabled={!detail.neighbours.next}
          onClick={() => go({ sample: detail.neighbours.next! })}
        >
          next →
        </button>
      </nav>
      <h1>{route.sample}</h1>
      <Trajectory detail={detail} />
    </section>
  );
}

/** A curation run's teacher attempt, accepted or rejected with its reasons, in the trajectory view. */
export function AttemptView({ source, route, go }: ViewProps) {
  const [attempt, setAttempt] = useState<AttemptDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setAttempt(null);
    source
      .attempt(route.run!, route.sample!, route.attempt!)
      .then(setAttempt, (failure: Error) => setError(failure.message));
  }, [route.run, route.sample, route.attempt]);
  if (error) return <p class="error">{error}</p>;
  if (!attempt) return <p>Loading teacher attempt…</p>;
  const trajectory = attempt.trajectory;
  const detail: SampleDetail = {
    item: { id: attempt.id, question: trajectory?.question, prediction: trajectory?.answer },
    trajectory,
    problem: trajectory ? null : 'this attempt stored no trajectory',
    row: null,
    neighbours: { previous: null, next: null, index: -1 },
  };
  return (
    <section>
      <nav class="neighbours">
        <button type="button" onClick={() => go({ view: 'run', sample: undefined, attempt: undefined })}>
          ↑ curation run
        </button>
      </nav>
      <h1>
        {attempt.id} · attempt #{attempt.attempt} <small>{attempt.teacher}</small>
      </h1>
      <p class={attempt.accepted ? 'accepted' : 'rejected'}>
        {attempt.accepted ? 'accepted' : `rejected: ${attempt.reasons.join(', ') || '(no reason stored)'}`}
      </p>
      <Trajectory detail={detail} />
    </section>
  );
}
