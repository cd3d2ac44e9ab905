import type { Sandbox, SandboxSession } from '../sandbox/sandbox.js';
import type { ImageSearchProvider, SearchProvider } from '../search/search-provider.js';

/** Times the sandbox calls and searches of one episode, so a step can report its own overhead. */
export class ToolClock {
  sandboxMs = 0;
  searchMs = 0;
  constructor(private readonly now: () => number) {}

  async time<T>(kind: 'sandboxMs' | 'searchMs', work: () => Promise<T>): Promise<T> {
    const start = this.now();
    try {
      return await work();
    } finally {
      this[kind] += this.now() - start;
    }
  }

  sandbox(inner: Sandbox): Sandbox {
    return {
      openSession: async (options) => {
        const session = await this.time('sandboxMs', () => inner.openSession(options));
        const timed: SandboxSession = {
          id: session.id,
          execute: (code, executeOptions) =>
            this.time('sandboxMs', () => session.execute(code, executeOptions)),
          close: () => session.close(),
        };
        return timed;
      },
      close: () => inner.close(),
    };
  }

  text(inner: SearchProvider): SearchProvider {
    return {
      name: inner.name,
      search: (query, options) => this.time('searchMs', () => inner.search(query, options)),
    };
  }

  image(inner: ImageSearchProvider): ImageSearchProvider {
    return {
      name: inner.name,
      searchImage: (bytes, options) => this.time('searchMs', () => inner.searchImage(bytes, options)),
    };
  }
}
