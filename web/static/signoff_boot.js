// Starts the sign-off page: loads its own WebAssembly from this folder (the checking page does not carry it).
import init from './cellguard-signoff.js';
init().catch((e) => {
  document.body.textContent = 'cellguard could not start: ' + e;
});
