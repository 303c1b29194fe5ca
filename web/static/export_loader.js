// The export module's Web Worker entry: loads its WebAssembly from this folder; its main() checks what the page
// sends and writes the XLSX workbook it asks for. A crash inside an awaited step is thrown again, so that the page's `onerror` sees it.
self.addEventListener('unhandledrejection', (e) => {
  setTimeout(() => {
    throw e.reason;
  });
});
import init from './cellguard-export.js';
await init();
