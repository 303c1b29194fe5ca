// Shared by the end-to-end tests and the page benchmark: serve the built page with `cellguard serve`, start the
// system's headless Chromium (never a downloaded browser) on a fresh profile, record every request.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Starts `cli serve dist --port 0`; resolves with { url, stop }. */
export function serve(cli, dist) {
  return new Promise((resolve, reject) => {
    const child = spawn(cli, ['serve', dist, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error('server did not start: ' + out)), 15000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[0], stop: () => child.kill('SIGTERM') });
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${out}`)));
  });
}

/** A fresh browser context; `requests` collects every URL the page and its worker ask for. */
export async function browser() {
  const profile = mkdtempSync(join(tmpdir(), 'cellguard-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, args: ARGS, acceptDownloads: true, viewport: { width: 1400, height: 1000 },
  });
  const requests = [];
  context.on('request', (r) => requests.push(r.url()));
  const close = async () => { await context.close(); rmSync(profile, { recursive: true, force: true }); };
  return { context, requests, close };
}
