// The protect module's Web Worker entry: loads its WebAssembly from this folder; its main() answers the page's
// requests to protect a table. A crash inside an awaited step is thrown again, so that the page's `onerror` sees it.
self.addEventListener('unhandledrejection', (e) => {
  setTimeout(() => {
    throw e.reason;
  });
});
import init from './cellguard-protect.js';
await init();
