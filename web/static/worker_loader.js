// The Web Worker's entry: loads the checker's WebAssembly from this folder; its main() registers the worker.
import init from './cellguard-worker.js';
await init();
