/**
 * The OpenAI-compatible base (OpenAI, vLLM, Ollama, llama.cpp server, Groq, ...) and the OpenAI
 * front wire the gateway's `/v1` routes speak.
 */
export { createOpenAICompatibleProvider } from './provider.js';
export type { OpenAICompatibleSettings } from './provider.js';
export {
  createOpenAICompatibleProviderFromConfig,
  createOpenAIProvider,
  openAIBaseUrl,
  openAICompatibleSettings,
  openAISettings,
} from './openai.js';
export { parseOpenAIChatBody } from './front-chat.js';
export type { ParsedChatBody } from './front-chat.js';
export { chatResultToOpenAI, usageToOpenAI } from './front-encode.js';
export type { EncodeOptions, OpenAIChatCompletionBody, OpenAIUsageBody } from './front-encode.js';
export { OpenAIStreamEncoder, sseDone } from './front-stream-encoder.js';
export type { OpenAIStreamEncoderOptions } from './front-stream-encoder.js';
export { embeddingResultToOpenAI, embeddingToBase64, parseOpenAIEmbeddingsBody } from './front-embeddings.js';
export type { EmbeddingEncoding, OpenAIEmbeddingsBody, ParsedEmbeddingsBody } from './front-embeddings.js';
