import {
  clampBox,
  cropImage,
  type PixelBox,
  prepareObservationImage,
  prepareObservationImages,
  rotateImage,
} from '../image/index.js';
import type { Action } from '../protocol/action.js';
import type { ModelImage } from '../protocol/chat-message.js';
import { repairIndentation } from '../protocol/code-repair.js';
import {
  renderZoomErrorObservation,
  renderZoomObservation,
  resolveZoomBox,
} from '../protocol/deepeyes-v1.js';
import { pythonStrip } from '../protocol/python-text.js';
import {
  renderCodeObservation,
  renderEmptyCodeObservation,
  renderImageSearchObservation,
  renderSearchErrorObservation,
  renderSearchObservation,
} from '../protocol/render-observation.js';
import { referenceOutput } from '../sandbox/reference-output.js';
import type { Execution, Sandbox, SandboxSession } from '../sandbox/sandbox.js';
import type { ImageSearchHit, ImageSearchProvider, SearchProvider } from '../search/search-provider.js';
import type { AgentOptions } from './agent-options.js';
import type { ToolCallRecord } from './trajectory.js';

/** Re-indents code the upstream way (strip, re-indent, autopep8); I/O because autopep8 is Python. */
export type UpstreamCodeRepair = (code: string) => Promise<string>;

export type ToolDependencies = {
  sandbox?: Sandbox;
  search?: SearchProvider;
  imageSearch?: ImageSearchProvider;
  upstreamRepair?: UpstreamCodeRepair;
};

export type ToolOutcome = {
  record: ToolCallRecord;
  /** Observation text with one `<image>` per attached image. */
  observation: string;
  images: ModelImage[];
  /** upstream-rl only: upstream ends the episode here instead of showing the error. */
  endsEpisode?: boolean;
};

const COMPILE_ERRORS = new Set(['IndentationError', 'TabError']);

/**
 * Carries out one parsed action and renders what the model reads next. Owns the trajectory's
 * sandbox session: opened with every input image before the first turn (or at the first code
 * call with `sessionOpen: 'lazy'`), reopened if the kernel dies, always closed.
 */
export class ToolRunner {
  private session: SandboxSession | undefined;
  private opening: Promise<void> | undefined;
  private imageCounter = 0;

  constructor(
    private readonly dependencies: ToolDependencies,
    private readonly options: AgentOptions,
    /** The images as the model sees them; `image_i` in the kernel is the same picture, so coordinates agree. */
    private readonly inputImages: ModelImage[],
    /** The item id: image-search caches keyed by training item (MMSearch-R1) look it up. */
    private readonly itemId?: string,
  ) {}

  /**
   * Starts opening the session (once); the driver calls it before the first model call so the
   * kernel starts while the model thinks. A failure surfaces at the first code call, and is not
   * kept: the next code call tries to open again (a kernel start that timed out under load must not
   * fail every later cell of the trajectory).
   */
  open(): Promise<void> {
    if (this.opening === undefined) {
      const opening = this.openSession();
      this.opening = opening;
      opening.catch(() => {
        if (this.opening === opening) this.opening = undefined;
      });
    }
    return this.opening;
  }

  private async openSession(): Promise<void> {
    if (!this.dependencies.sandbox) return;
    this.session = await this.dependencies.sandbox.openSession({
      images: this.inputImages.map((image) => ({ bytes: image.bytes })),
    });
  }

  async close(): Promise<void> {
    const opening = this.opening;
    this.opening = undefined;
    // A session still being opened is waited for, so it is closed too rather than leaked.
    await opening?.catch(() => undefined);
    const session = this.session;
    this.session = undefined;
    await session?.close();
  }

  async run(action: Action, turn: number): Promise<ToolOutcome> {
    switch (action.kind) {
      case 'code':
        return this.runCode(action.code, turn);
      case 'search':
        return this.runSearch(action.query);
      case 'image-search':
        return this.runImageSearch(turn, action.bbox);
      case 'zoom-in':
      case 'rotate':
        return this.runImageTool(action, turn);
      default:
        throw new Error(`ToolRunner cannot run action ${action.kind}`);
    }
  }

  private async runCode(code: string, turn: number): Promise<ToolOutcome> {
    const profile = this.options.profile;
    if (pythonStrip(code) === '') {
      const record: ToolCallRecord = {
        tool: 'code',
        code,
        codeRun: '',
        status: 'empty',
        stdout: '',
        stderr: '',
        imageCount: 0,
      };
      return { record, observation: renderEmptyCodeObservation(profile), images: [] };
    }
    let codeRun = code;
    if (this.options.codeRepair === 'upstream') {
      if (!this.dependencies.upstreamRepair)
        throw new Error('code repair "upstream" needs an autopep8 runner');
      codeRun = await this.dependencies.upstreamRepair(code);
    }
    let execution = await this.execute(codeRun);
    if (this.options.codeRepair === 'auto' && execution.error && COMPILE_ERRORS.has(execution.error.name)) {
      // A cell that does not compile ran nothing, so re-running a repaired version is safe.
      const repaired = repairIndentation(code);
      if (repaired !== code) {
        codeRun = repaired;
        execution = await this.execute(codeRun);
      }
    }
    const shown =
      this.options.codeOutput === 'reference'
        ? referenceOutput(execution)
        : { stdout: execution.stdout, stderr: execution.stderr, images: execution.images };
    const images = await prepareObservationImages(shown.images, {
      profile,
      maxImages: profile === 'vlmevalkit' ? undefined : this.options.maxObservationImages,
      idFor: () => this.nextImageId(turn),
    });
    const record: ToolCallRecord = {
      tool: 'code',
      code,
      codeRun,
      status: execution.status,
      stdout: shown.stdout,
      stderr: shown.stderr,
      imageCount: images.length,
    };
    const observation = renderCodeObservation(
      { stdout: shown.stdout, stderr: shown.stderr, imageCount: images.length },
      profile,
    );
    return { record, observation, images };
  }

  private async execute(code: string): Promise<Execution> {
    if (!this.dependencies.sandbox) throw new Error('this mode runs code but no sandbox was given');
    await this.open();
    const execution = await this.session!.execute(code, { timeoutMs: this.options.codeTimeoutMs });
    if (execution.status === 'dead') {
      // The kernel is gone (memory limit, os._exit): the next call gets a fresh one with the images reloaded.
      await this.close().catch(() => undefined);
    }
    return execution;
  }

  private async runSearch(query: string): Promise<ToolOutcome> {
    const provider = this.dependencies.search;
    const profile = this.options.profile;
    if (!provider) {
      const error = 'text search is not configured';
      return {
        record: { tool: 'search', query, provider: 'none', resultCount: 0, error },
        observation: renderSearchErrorObservation(profile),
        images: [],
      };
    }
    try {
      const hits = await provider.search(query, { limit: this.options.searchTopK });
      const observation = renderSearchObservation(query, hits, profile);
      return {
        record: { tool: 'search', query, provider: provider.name, resultCount: hits.length },
        observation,
        images: [],
      };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return {
        record: { tool: 'search', query, provider: provider.name, resultCount: 0, error: message },
        observation: renderSearchErrorObservation(profile),
        images: [],
        endsEpisode: profile === 'upstream-rl',
      };
    }
  }

  private async runImageSearch(turn: number, region?: PixelBox): Promise<ToolOutcome> {
    const provider = this.dependencies.imageSearch;
    const profile = this.options.profile;
    const original = this.inputImages[0];
    if (!provider || !original) {
      const error = provider ? 'there is no input image to search with' : 'image search is not configured';
      return {
        record: { tool: 'image_search', provider: provider?.name ?? 'none', resultCount: 0, error },
        observation: renderSearchErrorObservation(profile, 'image_search'),
        images: [],
      };
    }
    try {
      const box = region ? clampBox(region, original) : undefined;
      if (region && !box) throw new Error(`the region ${JSON.stringify(region)} lies outside the image`);
      const query = box ? await cropImage(original.bytes, box) : original.bytes;
      const hits = await provider.searchImage(query, {
        limit: this.options.searchTopK,
        ...(this.itemId === undefined ? {} : { itemId: this.itemId }),
      });
      const withImages: ImageSearchHit[] = [];
      const images: ModelImage[] = [];
      for (const hit of hits) {
        if (!hit.image || images.length >= this.options.maxObservationImages) continue;
        // A result whose picture cannot be decoded is left out, text and image together; the RL
        // release instead failed the whole search ("Search error", the episode ends), which
        // upstream-rl reproduces (observations.jsonl image_corrupt_file).
        const image = await prepareObservationImage(hit.image, this.nextImageId(turn), { profile }).catch(
          (error: unknown) => {
            if (profile === 'upstream-rl') throw error;
            return undefined;
          },
        );
        if (!image) continue;
        withImages.push(hit);
        images.push(image);
      }
      // The text lists only the results whose picture is attached, so placeholders and images always agree.
      const observation = renderImageSearchObservation(withImages, profile);
      return {
        record: { tool: 'image_search', provider: provider.name, resultCount: withImages.length },
        observation,
        images,
      };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return {
        record: { tool: 'image_search', provider: provider.name, resultCount: 0, error: message },
        observation: renderSearchErrorObservation(profile, 'image_search'),
        images: [],
        endsEpisode: profile === 'upstream-rl',
      };
    }
  }

  private async runImageTool(
    action: Extract<Action, { kind: 'zoom-in' | 'rotate' }>,
    turn: number,
  ): Promise<ToolOutcome> {
    const source = this.inputImages[0];
    const tool = action.kind === 'zoom-in' ? 'image_zoom_in_tool' : 'image_rotate_tool';
    const args =
      action.kind === 'zoom-in' ? { bbox_2d: action.bbox, label: action.label } : { angle: action.angle };
    if (!source) {
      return {
        record: { tool, arguments: args, error: 'no input image' },
        observation: renderZoomErrorObservation(),
        images: [],
      };
    }
    let bytes: Uint8Array;
    if (action.kind === 'zoom-in') {
      const box = resolveZoomBox(action.bbox, source);
      if (!box) {
        return {
          record: { tool, arguments: args, error: 'invalid box' },
          observation: renderZoomErrorObservation(),
          images: [],
        };
      }
      bytes = await cropImage(source.bytes, box);
    } else {
      bytes = await rotateImage(source.bytes, action.angle);
    }
    const image = await prepareObservationImage(bytes, this.nextImageId(turn), {
      profile: this.options.profile,
    });
    return { record: { tool, arguments: args }, observation: renderZoomObservation(1), images: [image] };
  }

  private nextImageId(turn: number): string {
    this.imageCounter += 1;
    return `turn${turn + 1}-${this.imageCounter}`;
  }
}
