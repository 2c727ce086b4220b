// The cache rebuilds a streamed answer with the same assembler that feeds the trace, so a
// stream is followed once, not twice.
export { StreamAssembler as StreamCapture } from '../stream-assembler.js';
