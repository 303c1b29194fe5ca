// Starts the page: loads the app's WebAssembly from this folder (no inline script, so the CSP stays strict).
import init from './cellguard-app.js';
init().catch((e) => {
  document.body.textContent = 'cellguard could not start: ' + e;
});
