import { describe } from 'vitest';
import { chatModelContract } from './chat-model.contract.js';
import { OpenAIChatModel } from './openai-chat-model.js';
import { ReplayChatModel } from './replay-chat-model.js';
import { parseReplayFile } from './replay-script.js';
import { ScriptedChatModel } from './scripted-chat-model.js';
import { startFakeOpenAIServer } from './testing/fake-openai-server.js';

describe('ChatModel contract', () => {
  describe('OpenAI-compatible client against the fake OpenAI server (scripted replies, labelled)', () => {
    chatModelContract(
      'openai',
      async (turns) => {
        const server = await startFakeOpenAIServer({ reply: (_request, index) => turns[index] ?? '' });
        const model = new OpenAIChatModel({ baseUrls: [server.url], maxRetries: 0 });
        return { model, close: () => server.close() };
      },
      { appliesStopStrings: true },
    );
  });

  describe('replay model', () => {
    chatModelContract(
      'replay',
      async (turns) => ({
        // A replay file holds at least one turn; the model is stateless, so an unplayed one is harmless.
        model: new ReplayChatModel(
          parseReplayFile(
            JSON.stringify(turns.length > 0 ? turns : ['<answer>unplayed</answer>']),
            'contract.json',
          ),
          'contract.json',
        ),
      }),
      { appliesStopStrings: true },
    );
  });

  describe('scripted model', () => {
    chatModelContract(
      'scripted',
      async (turns) => {
        const model = new ScriptedChatModel(turns, { label: 'contract' });
        return { model, close: async () => model.assertConsumed() };
      },
      { appliesStopStrings: false },
    );
  });
});
