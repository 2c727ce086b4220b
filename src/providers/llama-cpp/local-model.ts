/**
 * The model inside the child process: loads one GGUF file with node-llama-cpp on first use and
 * runs chat generations and embeddings on it. Only the child imports this file, so a native
 * crash in here ends the child, never the gateway.
 */
import type { ChatHistoryItem, Llama, LlamaChat, LlamaEmbeddingContext, LlamaModel } from 'node-llama-cpp';
import { FenerError } from '../../core/index.js';
import { checkGgufFile } from './gguf-check.js';
import type { ChildMessage, ChildSettings, Generation, Turn } from './protocol.js';

interface Loaded {
  model: LlamaModel;
  chat: LlamaChat;
  contextSize: number;
  embedding?: Promise<LlamaEmbeddingContext>;
}

export interface ChatOutcome {
  finishReason: 'stop' | 'length';
  outputTokens: number;
}

export interface EmbedOutcome {
  embeddings: number[][];
  inputTokens: number;
}

type Notify = (message: ChildMessage) => Promise<void>;

const logLines = 20;

export class LocalModel {
  private loading: Promise<Loaded> | undefined;
  /** The native library: started at once, since the child is forked only when there is work for it. */
  private llama: Promise<Llama> | undefined;
  /** Recent llama.cpp warnings and errors: its exceptions say little ("Failed to load model"), its log says why. */
  private readonly log: string[] = [];

  constructor(
    private readonly settings: ChildSettings,
    private readonly notify: Notify,
  ) {
    // Failures surface through `load()`; this early start must not count as an unhandled rejection.
    this.startLlama().catch(() => undefined);
  }

  load(): Promise<Loaded> {
    this.loading ??= this.loadOnce().catch((error: unknown) => {
      // Forget the failure: the file may be fixed or replaced before the next request.
      this.loading = undefined;
      throw error;
    });
    return this.loading;
  }

  private startLlama(): Promise<Llama> {
    this.llama ??= import('node-llama-cpp').then(({ getLlama, LlamaLogLevel }) =>
      getLlama({
        gpu: false,
        build: 'never',
        progressLogs: false,
        logLevel: LlamaLogLevel.warn,
        logger: (level, message) => this.remember(`${level}: ${message.trim()}`),
      }),
    );
    return this.llama;
  }

  private async loadOnce(): Promise<Loaded> {
    const { modelPath, threads } = this.settings;
    // The file is checked while the library loads (about a second each); a bad file fails first.
    const [llama] = await Promise.all([this.startLlama(), checkGgufFile(modelPath)]);
    const { LlamaChat } = await import('node-llama-cpp');
    await this.notify({ type: 'model-loading' });
    let model: LlamaModel;
    try {
      model = await llama.loadModel({ modelPath, gpuLayers: 0 });
    } catch (error) {
      throw this.failure(`llama.cpp could not load ${modelPath}`, error);
    }
    const contextSize = this.settings.contextSize;
    const context = await model.createContext({ contextSize, threads, sequences: 1 }).catch((error: unknown) => {
      throw this.failure(`llama.cpp could not create a context of ${contextSize} tokens`, error);
    });
    const chat = new LlamaChat({ contextSequence: context.getSequence() });
    void this.notify({ type: 'model-loaded' });
    return { model, chat, contextSize: context.contextSize };
  }

  private remember(line: string): void {
    this.log.push(line);
    if (this.log.length > logLines) this.log.shift();
  }

  private failure(summary: string, error: unknown): FenerError {
    const reason = error instanceof Error ? error.message : String(error);
    const detail = this.log
      .filter((line) => line.startsWith('error'))
      .slice(-3)
      .join('; ');
    return new FenerError('upstream_error', `${summary}: ${reason}${detail === '' ? '' : ` (${detail})`}`, {
      retryable: false,
      cause: error,
    });
  }

  /** Generates one assistant turn; `onStart` runs once the prompt is known to fit. */
  async chat(
    turns: Turn[],
    generation: Generation,
    callbacks: { signal: AbortSignal; onStart(inputTokens: number): void; onText(text: string): void },
  ): Promise<ChatOutcome> {
    const { model, chat, contextSize } = await this.load();
    const history = toHistory(turns);
    // Counted the way llama.cpp will see it: rendered by the model's chat template, then tokenized.
    const inputTokens = chat.chatWrapper.generateContextState({ chatHistory: history }).contextText.tokenize(model.tokenizer).length;
    if (inputTokens >= contextSize) {
      throw new FenerError(
        'context_length_exceeded',
        `the messages take ${inputTokens} tokens; this model's context holds ${contextSize}`,
        { param: 'messages' },
      );
    }
    // Never let llama.cpp shift the context: a stateless API must not silently drop messages.
    const room = contextSize - inputTokens;
    const maxTokens = Math.min(generation.maxTokens ?? room, room);
    callbacks.onStart(inputTokens);
    const meter = chat.sequence.tokenMeter;
    const outputBefore = meter.usedOutputTokens;
    const penalties = generation.presencePenalty !== undefined || generation.frequencyPenalty !== undefined;
    const response = await chat.generateResponse(history, {
      maxTokens,
      temperature: generation.temperature,
      topP: generation.topP,
      seed: generation.seed,
      customStopTriggers: generation.stop,
      repeatPenalty: penalties
        ? { presencePenalty: generation.presencePenalty ?? 0, frequencyPenalty: generation.frequencyPenalty ?? 0, penalty: 1 }
        : false,
      signal: callbacks.signal,
      stopOnAbortSignal: true,
      onTextChunk: (text) => {
        if (text !== '') callbacks.onText(text);
      },
    });
    const finishReason = response.metadata.stopReason === 'maxTokens' ? 'length' : 'stop';
    return { finishReason, outputTokens: meter.usedOutputTokens - outputBefore };
  }

  async embed(input: string[], options: { dimensions?: number | undefined; signal: AbortSignal }): Promise<EmbedOutcome> {
    const { signal, dimensions } = options;
    const loaded = await this.load();
    const native = loaded.model.embeddingVectorSize;
    if (dimensions !== undefined && dimensions !== native) {
      throw new FenerError('invalid_request', `this model's embeddings have ${native} dimensions, not ${dimensions}`, {
        param: 'dimensions',
      });
    }
    const context = await this.embeddingContext(loaded);
    const embeddings: number[][] = [];
    let inputTokens = 0;
    for (const [index, text] of input.entries()) {
      signal.throwIfAborted();
      const length = context.calculateInputLength(text);
      if (length > loaded.contextSize) {
        throw new FenerError(
          'context_length_exceeded',
          `input[${index}] takes ${length} tokens; this model's context holds ${loaded.contextSize}`,
          { param: 'input' },
        );
      }
      inputTokens += length;
      embeddings.push([...(await context.getEmbeddingFor(text)).vector]);
    }
    return { embeddings, inputTokens };
  }

  /** Created on the first embedding request: most deployments of a chat model never need it. */
  private embeddingContext(loaded: Loaded): Promise<LlamaEmbeddingContext> {
    loaded.embedding ??= loaded.model
      .createEmbeddingContext({ contextSize: loaded.contextSize, threads: this.settings.threads })
      .catch((error: unknown) => {
        loaded.embedding = undefined;
        throw this.failure('llama.cpp could not create an embedding context', error);
      });
    return loaded.embedding;
  }
}

/** Ends with an empty model turn, so the template adds the assistant prompt that generation continues. */
function toHistory(turns: Turn[]): ChatHistoryItem[] {
  const history = turns.map((turn): ChatHistoryItem => {
    if (turn.role === 'assistant') return { type: 'model', response: [turn.text] };
    return { type: turn.role, text: turn.text };
  });
  if (history.at(-1)?.type !== 'model') history.push({ type: 'model', response: [] });
  return history;
}
