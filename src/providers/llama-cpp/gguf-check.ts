/**
 * Checks a GGUF file before llama.cpp sees it. llama.cpp trusts its input: a missing or zero
 * `feed_forward_length` or head count, or a llama vocabulary without byte tokens, ends in a
 * native assertion that aborts the process. These checks turn the known cases into an error
 * that names the problem; the child process contains the cases nobody knows yet.
 */
import { stat } from 'node:fs/promises';
import type { gguf as ggufReader } from '@huggingface/gguf';
import { FenerError } from '../../core/index.js';

type Metadata = Record<string, unknown>;
type Parsed = Awaited<ReturnType<typeof ggufReader>>;
type TensorInfo = Parsed['tensorInfos'][number];

/** Architectures without attention or feed-forward hyper-parameters (state-space, RNN). */
const recurrentArchitectures = new Set(['mamba', 'mamba2', 'rwkv6', 'rwkv6qwen2', 'rwkv7', 'arwkv7']);

/** ggml types whose size is known here: [values per block, bytes per block]. */
const ggmlTypeSizes = new Map<number, [number, number]>([
  [0, [1, 4]], // F32
  [1, [1, 2]], // F16
  [2, [32, 18]], // Q4_0
  [3, [32, 20]], // Q4_1
  [6, [32, 22]], // Q5_0
  [7, [32, 24]], // Q5_1
  [8, [32, 34]], // Q8_0
  [10, [256, 84]], // Q2_K
  [11, [256, 110]], // Q3_K
  [12, [256, 144]], // Q4_K
  [13, [256, 176]], // Q5_K
  [14, [256, 210]], // Q6_K
  [24, [1, 1]], // I8
  [25, [1, 2]], // I16
  [26, [1, 4]], // I32
  [28, [1, 8]], // F64
  [30, [1, 2]], // BF16
]);

export interface GgufSummary {
  architecture: string;
  tensorCount: number;
}

function invalid(path: string, problem: string): FenerError {
  return new FenerError('upstream_error', `the model file ${path} cannot be used: ${problem}`, { retryable: false });
}

/** A positive count, given as one number or (in some architectures) one per layer. */
function isPositiveCount(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0 && value.every(isPositiveCount);
  return (typeof value === 'number' || typeof value === 'bigint') && value > 0;
}

function checkHyperParameters(path: string, metadata: Metadata): string {
  const architecture = metadata['general.architecture'];
  if (typeof architecture !== 'string' || architecture === '') throw invalid(path, 'general.architecture is missing');
  const required = ['embedding_length', 'block_count'];
  if (!recurrentArchitectures.has(architecture)) required.push('feed_forward_length', 'attention.head_count');
  for (const key of required) {
    const value = metadata[`${architecture}.${key}`];
    if (value === undefined) throw invalid(path, `${architecture}.${key} is missing`);
    if (!isPositiveCount(value)) throw invalid(path, `${architecture}.${key} must be a positive number`);
  }
  const kvHeads = metadata[`${architecture}.attention.head_count_kv`];
  if (kvHeads !== undefined && !isPositiveCount(kvHeads)) {
    throw invalid(path, `${architecture}.attention.head_count_kv must be a positive number`);
  }
  return architecture;
}

function checkVocabulary(path: string, metadata: Metadata): void {
  const tokens = metadata['tokenizer.ggml.tokens'];
  if (!Array.isArray(tokens) || tokens.length === 0) throw invalid(path, 'tokenizer.ggml.tokens is missing or empty');
  // SentencePiece vocabularies spell unknown characters with byte tokens; without them llama.cpp aborts.
  if (metadata['tokenizer.ggml.model'] !== 'llama') return;
  const present = new Set(tokens.filter((token): token is string => typeof token === 'string' && token.startsWith('<0x')));
  for (let byte = 0; byte < 256; byte++) {
    const token = `<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`;
    if (!present.has(token)) throw invalid(path, `the llama vocabulary lacks the byte token ${token}`);
  }
}

function tensorBytes(tensor: TensorInfo): bigint | undefined {
  const size = ggmlTypeSizes.get(tensor.dtype);
  if (size === undefined) return undefined;
  const values = tensor.shape.reduce((product, dim) => product * dim, 1n);
  return (values / BigInt(size[0])) * BigInt(size[1]);
}

/** The header parser reads zeros past the end of a truncated file, so bounds are checked here. */
function checkTensors(path: string, parsed: Parsed, fileSize: bigint): void {
  if (parsed.tensorDataOffset > fileSize) throw invalid(path, 'the file is truncated inside its header');
  if (parsed.tensorInfos.length === 0) throw invalid(path, 'the file holds no tensors');
  for (const tensor of parsed.tensorInfos) {
    if (tensor.name === '' || tensor.shape.length === 0) throw invalid(path, 'the tensor table is malformed or truncated');
    const start = parsed.tensorDataOffset + tensor.offset;
    const end = start + (tensorBytes(tensor) ?? 1n);
    if (end > fileSize) {
      throw invalid(path, `the file is truncated: tensor ${tensor.name} ends at byte ${end}, the file has ${fileSize}`);
    }
  }
}

export async function checkGgufFile(path: string): Promise<GgufSummary> {
  let fileSize: bigint;
  try {
    const info = await stat(path, { bigint: true });
    if (!info.isFile()) throw new Error('not a regular file');
    fileSize = info.size;
  } catch (error) {
    throw invalid(path, error instanceof Error ? error.message : String(error));
  }
  let parsed: Parsed;
  try {
    // Imported on use: the reader and its dependencies take half a second to load.
    const { gguf } = await import('@huggingface/gguf');
    parsed = await gguf(path, { allowLocalFile: true });
  } catch (error) {
    throw invalid(path, `not a readable GGUF file (${error instanceof Error ? error.message : String(error)})`);
  }
  checkTensors(path, parsed, fileSize);
  // Read by key with runtime checks: the library's typed view does not know every architecture.
  const metadata: Metadata = Object.fromEntries(Object.entries(parsed.metadata));
  const architecture = checkHyperParameters(path, metadata);
  checkVocabulary(path, metadata);
  return { architecture, tensorCount: parsed.tensorInfos.length };
}
