/**
 * The providers module: the spec every adapter implements, the factory that builds adapters from
 * configuration, and the front wires (OpenAI and Anthropic) the gateway's routes parse and encode.
 */
export type {
  CallOptions,
  ChatMessage,
  ChatRequest,
  ChatResult,
  ChatStreamEvent,
  ContentPart,
  EmbeddingRequest,
  EmbeddingResult,
  FinishReason,
  JsonSchema,
  Provider,
  ProviderError,
  ProviderType,
  ResponseFormat,
  ToolCall,
  ToolChoice,
  ToolDefinition,
  Usage,
} from './spec.js';
export { createProvider } from './registry.js';
export {
  OpenAIStreamEncoder,
  chatResultToOpenAI,
  createOpenAICompatibleProvider,
  embeddingResultToOpenAI,
  parseOpenAIChatBody,
  parseOpenAIEmbeddingsBody,
  sseDone,
  usageToOpenAI,
} from './openai-compatible/index.js';
export type {
  EmbeddingEncoding,
  OpenAIChatCompletionBody,
  OpenAICompatibleSettings,
  OpenAIEmbeddingsBody,
  OpenAIStreamEncoderOptions,
  ParsedChatBody,
  ParsedEmbeddingsBody,
} from './openai-compatible/index.js';
export {
  AnthropicStreamEncoder,
  anthropicErrorEvent,
  chatResultToAnthropic,
  createAnthropicProvider,
  parseAnthropicMessagesBody,
  toAnthropicErrorBody,
} from './anthropic/index.js';
export type {
  AnthropicErrorBody,
  AnthropicMessageBody,
  AnthropicSettings,
  AnthropicStreamEncoderOptions,
  ParsedMessagesBody,
} from './anthropic/index.js';
