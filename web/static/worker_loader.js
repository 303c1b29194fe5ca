// The Web Worker's entry: loads the checker's WebAssembly from this folder; its main() starts the worker (or, with
// `?helper`, its helper). A crash inside an awaited step surfaces as a rejected promise, which a worker's parent
// never sees: it is thrown again as an error, so that the parent's `onerror` replaces this worker.
self.addEventListener('unhandledrejection', (e) => {
  setTimeout(() => {
    throw e.reason;
  });
});
import init from './cellguard-worker.js';
await init();
