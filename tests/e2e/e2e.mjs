// End-to-end tests of the page in real headless Chromium. Usage:
//   node e2e.mjs DIST_DIR CELLGUARD_BIN ARTIFACTS_DIR
// Loads tables in several formats and compares what the page shows with `cellguard check` on the same files,
// opens explanations (with the mouse, and with the keyboard alone), switches language, exports the JSON report and compares it byte for byte with the CLI's,
// drops every file of the bad-input corpus (one crashes the worker's Parquet reader: the worker is replaced and the other files stay checked), runs axe-core on every view, tabulates microdata in the page (also a picked folder's partitioned files together, their keys as columns), reviews and signs a
// package in the sign-off page and verifies bundles both ways with the CLI, and asserts that no request left the local server. Screenshots of the main states go to ARTIFACTS_DIR.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { browser, serve } from './harness.mjs';

const [dist, cli, artifacts] = process.argv.slice(2).map((p) => resolve(p));
const root = resolve(new URL('../..', import.meta.url).pathname);
const good = join(root, 'tests/corpus/good');
const bad = join(root, 'tests/corpus/bad');
mkdirSync(artifacts, { recursive: true });

/** `cellguard check` run in `dir` on files named as the page names them; returns the JSON bytes. */
function cliReport(dir, files, policy = 'essnet', format = 'json') {
  try {
    return execFileSync(cli, ['check', ...files, '--policy', policy, '--format', format], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 30 });
  } catch (e) {
    if (e.status === 1) return e.stdout; // exit 1: findings
    throw e;
  }
}

let passed = 0;
async function step(name, fn) {
  const t0 = Date.now();
  await fn();
  passed += 1;
  console.log(`ok ${passed} - ${name} (${Date.now() - t0} ms)`);
}

const server = await serve(cli, dist);
const { context, requests, close } = await browser();
const page = await context.newPage();
// File choosers are intercepted from the start (turning interception on takes a round trip to the browser: a
// chooser opened before it is done would be missed).
page.on('filechooser', () => {});
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(String(e)));
page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });

const axeSource = readFileSync(join(root, 'tests/e2e/node_modules/axe-core/axe.min.js'), 'utf8');
/** axe-core (WCAG 2.1 AA rules) on the page as it is now: fails on any critical or serious violation, naming each
 * rule and its elements. */
async function accessible(view) {
  if (!(await page.evaluate(() => !!window.axe))) await page.evaluate(axeSource);
  const { violations } = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = violations.filter((v) => v.impact === 'critical' || v.impact === 'serious');
  assert.deepEqual(bad.map((v) => `${v.impact} ${v.id} (${v.help}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [], `axe-core on ${view}`);
}

/** Removes from the page's errors those a worker's crash logs (expected where a test makes one). */
function forgetCrash() {
  const crash = (e) => e.includes('the checking worker crashed') || e.includes('RuntimeError');
  assert.ok(pageErrors.some(crash), `the crash was logged: ${pageErrors}`);
  pageErrors.splice(0, pageErrors.length, ...pageErrors.filter((e) => !crash(e)));
}
async function clear() {
  if (await page.locator('#clear').count()) await page.click('#clear');
  await page.waitForSelector('.files', { state: 'detached' });
}
async function load(dir, files) {
  await page.setInputFiles('#pick', files.map((f) => join(dir, f)));
}
async function counts() {
  await page.waitForSelector('#count-unsafe');
  const n = async (id) => Number(await page.textContent(id));
  return { cells: await n('#count-cells'), safe: await n('#count-safe'), review: await n('#count-review'), unsafe: await n('#count-unsafe') };
}
async function download(selector) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return readFileSync(await d.path());
}

try {
  await step('the checking page\'s code (WebAssembly and JavaScript, gzip -9) stays within 1.5 MB; the sign-off page and the protect and export modules are apart', async () => {
    let gz = 0;
    const apart = (f) => f.startsWith('cellguard-signoff') || f === 'signoff_boot.js' || f.startsWith('cellguard-protect') || f === 'protect_loader.js' || f.startsWith('cellguard-export') || f === 'export_loader.js';
    for (const f of readdirSync(dist).filter((f) => /\.(wasm|js)$/.test(f) && !apart(f))) {
      gz += gzipSync(readFileSync(join(dist, f)), { level: 9 }).length;
    }
    assert.ok(gz <= 1.5e6, `the page's code is ${(gz / 1e6).toFixed(3)} MB gzipped, over the 1.5 MB budget`);
  });

  await step('the page starts and shows the empty state in English', async () => {
    await page.goto(server.url);
    await page.waitForSelector('.empty');
    assert.equal(await page.textContent('h1'), 'cellguard — disclosure check');
    await page.screenshot({ path: join(artifacts, '01-empty.png') });
  });

  for (const file of ['table_semicolon.csv', 'table.arrow', 'table.xlsx', 'table.parquet', 'table.arrows']) {
    await step(`${file}: counts shown equal the CLI's`, async () => {
      await clear();
      await load(good, [file]);
      const shown = await counts();
      const want = JSON.parse(cliReport(good, [file])).tables[0].summary;
      assert.deepEqual(shown, { cells: want.cells, safe: want.by_status.safe, review: want.by_status.review, unsafe: want.by_status.unsafe });
    });
  }
  await page.screenshot({ path: join(artifacts, '02-checked.png'), fullPage: true });

  await step('a cell\'s explanation shows the rule and its numbers', async () => {
    await clear();
    await load(good, ['table_semicolon.csv']);
    await counts();
    await page.check('#only-not-safe');
    await page.waitForSelector('#matching');
    const row = page.locator('.cell-row.unsafe').first();
    const cell = Number(await row.getAttribute('data-cell'));
    await row.click();
    await page.waitForSelector('#explain');
    const report = JSON.parse(cliReport(good, ['table_semicolon.csv']));
    const cliCell = report.tables[0].cells.find((c) => c.row === cell + 2) || report.tables[0].cells[cell];
    const text = await page.textContent('#explain');
    for (const f of cliCell.findings) assert.ok(text.includes(f.detail), `explanation shows "${f.detail}": ${text}`);
    await page.screenshot({ path: join(artifacts, '03-explanation.png') });
  });

  await step('switching to Dutch translates labels and explanations, and is remembered', async () => {
    await page.selectOption('#lang', 'nl');
    await page.waitForSelector('.page[data-lang="nl"]');
    assert.equal(await page.textContent('h1'), 'cellguard — controle op onthulling');
    const text = await page.textContent('#explain');
    assert.ok(/eenheden|grootste|waarde/.test(text), `Dutch explanation: ${text}`);
    await page.screenshot({ path: join(artifacts, '04-dutch.png') });
    await page.reload();
    await page.waitForSelector('.page[data-lang="nl"]');
    await page.selectOption('#lang', 'fr');
    await page.waitForSelector('.page[data-lang="fr"]');
    assert.equal(await page.textContent('h1'), 'cellguard — contrôle de divulgation');
    assert.equal(await page.getAttribute('html', 'lang'), 'fr', 'the document\'s language follows the page\'s');
    await page.selectOption('#lang', 'en');
    await page.waitForSelector('.page[data-lang="en"]');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
  });

  await step('the keyboard alone loads a file, opens a cell\'s explanation and closes it', async () => {
    await page.goto(server.url);
    await page.waitForSelector('.empty');
    /** Presses Tab until the focused element satisfies `test` (given its id and classes); returns what it met. */
    async function tabTo(test, most) {
      const met = [];
      for (let i = 0; i < most; i++) {
        await page.keyboard.press('Tab');
        const at = await page.evaluate(() => ({ id: document.activeElement?.id || '', cls: document.activeElement?.className || '' }));
        met.push(at.id);
        if (test(at)) return met;
      }
      assert.fail(`not reached with ${most} presses of Tab: ${met.join(' ')}`);
    }
    const met = await tabTo((at) => at.id === 'pick', 20);
    assert.ok(met.includes('drop'), `the drop zone is in the tab order: ${met.join(' ')}`);
    let [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Enter')]);
    await chooser.setFiles(join(good, 'table_semicolon.csv'));
    const shown = await counts();
    assert.equal(shown.cells, JSON.parse(cliReport(good, ['table_semicolon.csv'])).tables[0].summary.cells);
    // The drop zone opens the chooser too.
    await page.keyboard.press('Shift+Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'drop');
    [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Enter')]);
    assert.ok(chooser.isMultiple());
    await tabTo((at) => at.cls.includes('cell-row'), 300);
    const cell = await page.evaluate(() => document.activeElement.dataset.cell);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#explain');
    assert.ok(await page.evaluate(() => document.getElementById('explain').contains(document.activeElement)), 'the explanation takes the focus');
    assert.equal(await page.textContent(`#${await page.getAttribute('#explain', 'aria-labelledby')}`), 'Why this cell');
    assert.match(await page.textContent('#explain .coords'), /^sex = [^,]+, region = \S+/, 'coordinates are separated');
    assert.equal(await page.textContent('.rules li[data-rule="threshold"]'), 'threshold: applied — 1 cell', 'one cell, in the singular');
    // The status map is a picture with words: what it shows and what a pixel is.
    assert.equal(await page.getAttribute('#heat', 'role'), 'img');
    assert.match(await page.getAttribute('#heat', 'aria-label'), /12 cells — 9 safe, 0 review, 3 unsafe\. a pixel is a cell/);
    assert.match(await page.textContent('#legend'), /a pixel is a cell/);
    await page.screenshot({ path: join(artifacts, '03b-keyboard-explanation.png') });
    await page.keyboard.press('Escape');
    await page.waitForSelector('#explain', { state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement?.dataset?.cell), cell, 'the focus is back on the row');
  });

  await step('the exported JSON reports (full and compact) are byte for byte the CLI\'s', async () => {
    await clear();
    const files = ['table_semicolon.csv', 'table.arrow', 'table.xlsx'];
    await load(good, files);
    await counts();
    const bytes = await download('#export-json');
    assert.ok(Buffer.compare(bytes, cliReport(good, files)) === 0, 'page and CLI reports differ');
    const compact = await download('#export-compact');
    assert.ok(Buffer.compare(compact, cliReport(good, files, 'essnet', 'compact-json')) === 0, 'page and CLI compact reports differ');
    const read = JSON.parse(compact.toString());
    assert.equal(read.only_not_safe, true);
    assert.ok(read.tables.every((t) => t.cells.every((c) => c.status !== 'safe')));
  });

  await step('a large CSV, read in two pieces by the worker and its helper, gives the CLI\'s report byte for byte', async () => {
    await clear();
    // 70³ = 343,000 cells, about 12 MB: above the size from which the worker has its helper read the tail. Means
    // with decimals, empty tops, and a blank line past the middle (row labels counted across the cut).
    const lines = ['region,sector,age,mean,n,value,top1,top2'];
    for (let a = 0; a < 70; a++) for (let b = 0; b < 70; b++) for (let c = 0; c < 70; c++) {
      const n = (a * 7 + b * 3 + c * 5) % 41;
      const value = n * 1234 + a;
      lines.push(`region_${a},sector_${b},age_${c},${n ? (value / n).toFixed(2) : ''},${n},${value},${n ? 900 + b : ''},${n > 1 ? 400 + c : ''}`);
      if (a === 50 && b === 0 && c === 0) lines.push('');
    }
    const name = 'large_table.csv';
    writeFileSync(join(artifacts, name), lines.join('\n') + '\n');
    await load(artifacts, [name]);
    const shown = await counts();
    assert.equal(shown.cells, 70 ** 3);
    const bytes = await download('#export-json');
    assert.ok(Buffer.compare(bytes, cliReport(artifacts, [name])) === 0, 'page and CLI reports differ');
    assert.ok(requests.some((u) => u.includes('worker_loader.js?helper')), 'the helper worker was started');
  });

  await step('invalid policy text keeps the user\'s text and shows why; valid text then applies', async () => {
    await clear();
    await load(good, ['table_semicolon.csv']);
    const before = await counts();
    await page.evaluate(() => { document.getElementById('policy-toml').open = true; });
    const typed = 'name = "mine"\nthreshold = { min_units = "ten" }\n';
    await page.fill('#policy-toml textarea', typed);
    await page.click('#policy-toml button');
    await page.waitForSelector('#policy-error');
    assert.match(await page.textContent('#policy-error'), /min_units/);
    assert.equal(await page.inputValue('#policy-toml textarea'), typed, 'the text is kept');
    assert.deepEqual(await counts(), before, 'the policy in force is unchanged');
    const valid = typed.replace('"ten"', '100');
    await page.fill('#policy-toml textarea', valid);
    await page.click('#policy-toml button');
    await page.waitForSelector('#policy-error', { state: 'detached' });
    const policy = join(artifacts, 'mine.toml');
    writeFileSync(policy, valid);
    const want = JSON.parse(cliReport(good, ['table_semicolon.csv'], policy)).tables[0].summary;
    assert.notEqual(want.by_status.unsafe, before.unsafe, 'the new policy changes the verdicts');
    await page.waitForFunction((n) => document.querySelector('#count-unsafe')?.textContent === String(n), want.by_status.unsafe);
    assert.equal(await page.textContent('#policy-toml summary b'), 'mine');
    await page.selectOption('#preset', 'essnet');
  });

  await step('a policy edited in the form is named as edited, in the panel and in the exported reports', async () => {
    await clear();
    await load(good, ['table_semicolon.csv']);
    await counts();
    await page.fill('#p-min-units', '6');
    await page.dispatchEvent('#p-min-units', 'change');
    await page.waitForFunction(() => document.querySelector('#policy-toml summary b')?.textContent === 'essnet (edited)');
    assert.equal(await page.inputValue('#preset'), '');
    const toml = await page.inputValue('#policy-toml textarea');
    assert.match(toml, /min_units = 6/);
    assert.match(toml, /description = "essnet with parameters changed in the page"/);
    const json = JSON.parse((await download('#export-json')).toString());
    assert.equal(json.policy.name, 'essnet (edited)');
    assert.equal(json.policy.threshold.min_units, 6);
    assert.ok((await download('#export-html')).toString().includes('essnet (edited)'));
    // In Dutch the suffix is Dutch where it is shown; the report's data keeps the name as it is.
    await page.selectOption('#lang', 'nl');
    await page.waitForFunction(() => document.querySelector('#policy-toml summary b')?.textContent === 'essnet (bewerkt)');
    assert.ok((await download('#export-html')).toString().includes('<h2>Geldend beleid: essnet (bewerkt)</h2>'));
    await page.selectOption('#lang', 'en');
    await page.selectOption('#preset', 'essnet');
    await page.waitForFunction(() => document.querySelector('#policy-toml summary b')?.textContent === 'essnet');
  });

  await step('a TOML policy file is used and recorded like the CLI does', async () => {
    await clear();
    await page.setInputFiles('#policy-file', join(root, 'tests/corpus/policy/ksz-example.toml'));
    await load(good, ['table.parquet']);
    await counts();
    const bytes = await download('#export-json');
    const policyPath = join(root, 'tests/corpus/policy/ksz-example.toml');
    const want = cliReport(good, ['table.parquet'], policyPath).toString();
    // The CLI names the policy file by the path it was given, the page by the file's name.
    assert.equal(bytes.toString(), want.replaceAll(policyPath, 'ksz-example.toml'));
    await page.selectOption('#preset', 'essnet');
  });

  await step('a table is protected in the page by the protect module, loaded when first used: the same pattern, files and audit as cellguard protect', async () => {
    await clear();
    assert.ok(!requests.some((u) => u.endsWith('cellguard-protect_bg.wasm')), 'the protect module is not loaded before it is used');
    const golden = join(root, 'tests/golden');
    await load(golden, ['protect_counts.csv']);
    await counts();
    await page.click('#protect summary');
    await page.selectOption('#protect-method', 'fast');
    await page.click('#protect-go');
    await page.waitForSelector('#protect-summary', { timeout: 60000 });
    assert.ok(requests.some((u) => u.endsWith('cellguard-protect_bg.wasm')), 'the protect module was loaded');
    const out = mkdtempSync(join(tmpdir(), 'cellguard-protect-'));
    try {
      execFileSync(cli, ['protect', 'protect_counts.csv', '--policy', 'essnet', '-o', out], { cwd: golden, stdio: ['ignore', 'ignore', 'ignore'] });
    } catch (e) {
      if (e.status !== 1) throw e; // exit 1: a primary left short
    }
    const json = await download('#protect-json');
    assert.ok(Buffer.compare(json, readFileSync(join(out, 'protection.json'))) === 0, 'page and CLI protection files differ');
    const csv = await download('#protect-csv');
    assert.ok(Buffer.compare(csv, readFileSync(join(out, 'protect_counts.protected.csv'))) === 0, 'page and CLI protected tables differ');
    const want = JSON.parse(json.toString()).tables[0].summary;
    const summary = await page.textContent('#protect-summary');
    assert.ok(summary.startsWith(`${want.primaries} primary and ${want.secondaries} secondary suppressions of ${want.cells} cells`), summary);
    assert.match(await page.textContent('#protect-audit'), want.audit === 'passed' ? /^Audit passed/ : /^Audit failed/);
    // The pattern in the table: a secondary cell (source row 7, the sixth cell) is marked, in words too, and its
    // explanation says what it protects and the interval the audit found.
    const protects = JSON.parse(json.toString()).tables[0].cells.find((c) => c.row === 7);
    assert.equal(protects.role, 'secondary');
    if (await page.isChecked('#only-not-safe')) await page.uncheck('#only-not-safe');
    const row = page.locator('.cell-row.secondary[data-cell="5"]');
    await row.waitFor();
    assert.match(await row.textContent(), /safe · secondary suppression/);
    await row.click();
    await page.waitForSelector('#explain-suppressed');
    const why = await page.textContent('#explain-suppressed');
    assert.ok(why.startsWith('Suppressed to protect: ') && why.includes('(row ') && why.includes('can be worked out to lie between'), why);
    await page.click('#close-explain');
    // "Not safe" takes in the secondaries once the table is protected, and says so.
    await page.check('#only-not-safe');
    assert.match(await page.textContent('label:has(#only-not-safe)'), /^Only cells that are not safe or are suppressed to protect them/);
    await page.locator('.cell-row.secondary[data-cell="5"]').waitFor();
    await page.uncheck('#only-not-safe');
    // The table's exports carry the pattern: its annotated CSV is cellguard protect's protected table, and the
    // printable report lists the secondary cells.
    const annotated = await download('#export-csv');
    assert.ok(Buffer.compare(annotated, readFileSync(join(out, 'protect_counts.protected.csv'))) === 0, 'the CSV export lacks the pattern');
    const printable = (await download('#export-html')).toString();
    assert.ok(printable.includes(`Cells suppressed to protect the unsafe ones (secondary suppression) (${want.secondaries})`), 'the HTML report lacks the pattern');
    // The optimal method, with its lower bound; in Dutch.
    await page.selectOption('#lang', 'nl');
    await page.selectOption('#protect-method', 'optimal');
    await page.click('#protect-go');
    await page.waitForSelector('#protect-optimal', { timeout: 60000 });
    assert.match(await page.textContent('#protect-optimal'), /^Kost .*(ondergrens|geen ondergrens)/);
    await page.screenshot({ path: join(artifacts, '11-protect-nl.png'), fullPage: true });
    await page.selectOption('#lang', 'en');
  });

  await step('two tables of one microdata are protected in the page as linked tables: the same protection file as cellguard protect --linked, and a shared cell suppressed in both exports', async () => {
    await clear();
    const dir = mkdtempSync(join(tmpdir(), 'cellguard-linked-'));
    writeFileSync(join(dir, 'by_sex.csv'), 'region,sex,n\nR1,F,15\nR1,M,21\nR1,X,10\nR1,Total,46\nR2,F,40\nR2,M,32\nR2,X,23\nR2,Total,95\nR3,F,3\nR3,M,2\nR3,X,3\nR3,Total,8\nR4,F,17\nR4,M,31\nR4,X,41\nR4,Total,89\nTotal,F,75\nTotal,M,86\nTotal,X,77\nTotal,Total,238\n');
    writeFileSync(join(dir, 'by_age.csv'), 'region,age,n\nR1,young,20\nR1,old,26\nR1,Total,46\nR2,young,35\nR2,old,60\nR2,Total,95\nR3,young,3\nR3,old,5\nR3,Total,8\nR4,young,44\nR4,old,45\nR4,Total,89\nTotal,young,102\nTotal,old,136\nTotal,Total,238\n');
    await load(dir, ['by_sex.csv', 'by_age.csv']);
    await counts();
    await page.click('#protect summary');
    await page.selectOption('#protect-method', 'fast');
    await page.check('#protect-linked');
    await page.click('#protect-go');
    await page.waitForSelector('#protect-summary', { timeout: 60000 });
    const out = join(dir, 'out');
    execFileSync(cli, ['protect', 'by_sex.csv', 'by_age.csv', '--linked', '--policy', 'essnet', '-o', out], { cwd: dir, stdio: ['ignore', 'ignore', 'ignore'] });
    const json = await download('#protect-json');
    assert.ok(Buffer.compare(json, readFileSync(join(out, 'protection.json'))) === 0, 'page and CLI protection files of the linked tables differ');
    assert.deepEqual(JSON.parse(json.toString()).tables.map((t) => t.linked_with), [['by_age.csv'], ['by_sex.csv']]);
    // The other table's export carries its part of the pattern: R3's total is suppressed there too.
    await page.locator('nav.tabs .tab').nth(1).click();
    const other = (await download('#export-csv')).toString();
    assert.ok(Buffer.compare(Buffer.from(other), readFileSync(join(out, 'by_age.protected.csv'))) === 0, 'the linked table\'s CSV export lacks its pattern');
    assert.match(other, /R3,Total,x,unsafe/);
  });

  await step('a saved report (the CLI\'s JSON) is shown with the same counts, and explained', async () => {
    await clear();
    const saved = join(artifacts, 'saved-report.json');
    writeFileSync(saved, cliReport(good, ['table.xlsx']));
    await page.setInputFiles('#pick', saved);
    await page.waitForSelector('#summary h2:has-text("saved-report.json")');
    const shown = await counts();
    const want = JSON.parse(readFileSync(saved, 'utf8')).tables[0].summary;
    assert.deepEqual(shown, { cells: want.cells, safe: want.by_status.safe, review: want.by_status.review, unsafe: want.by_status.unsafe });
    await page.check('#only-not-safe');
    await page.waitForSelector('.cell-row.unsafe');
    await page.locator('.cell-row.unsafe').first().click();
    await page.waitForSelector('#explain .findings li');
    await page.click('#close-explain');
    await page.uncheck('#only-not-safe');
  });

  await step('annotated CSV and XLSX exports download', async () => {
    await clear();
    await load(good, ['table_semicolon.csv']);
    await counts();
    assert.match(await page.getAttribute('#export-csv', 'title'), /primary suppression/, 'the CSV export says what its x means');
    const csv = (await download('#export-csv')).toString();
    assert.ok(csv.startsWith('sex,region,mean,cellguard_status,cellguard_rules\n'), csv.slice(0, 80));
    assert.ok(csv.includes(',x,unsafe,'), 'unsafe cells are suppressed');
    const xlsx = await download('#export-xlsx');
    assert.equal(xlsx.subarray(0, 2).toString(), 'PK');
    const html = (await download('#export-html')).toString();
    assert.ok(html.includes('<h1>Disclosure-check report</h1>'));
    assert.match(html, /Made by cellguard [^<]*, on \d{4}-\d\d-\d\dT/, 'the report says when it was made');
    assert.match(html, /class="primary-only">Unsafe cells are those the rules found \(primary suppression\) only/);
  });

  const expected = readFileSync(join(bad, 'EXPECTED.tsv'), 'utf8').split('\n')
    .filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t'));
  assert.equal(expected.length, readdirSync(bad).length - 1, 'every bad file is in EXPECTED.tsv');
  for (const [file, policy, outcome, must] of expected) {
    // A file without unit counts is offered as microdata in the page (the command line says what it lacks).
    const offered = outcome === 'error' && must.startsWith('no column with the number of distinct units');
    await step(`bad input ${file}: ${offered ? 'offered as microdata' : `${outcome} shown`}, and the next good file still checks`, async () => {
      await clear();
      await page.selectOption('#preset', policy);
      await load(bad, [file]);
      if (offered) {
        await page.waitForSelector('.micro .note');
        assert.match(await page.textContent('.micro .note'), /looks like microdata/);
        assert.equal(await page.locator('.file-error').count(), 0);
      } else if (outcome === 'error') {
        await page.waitForSelector('.file-error');
        const text = await page.textContent('.file-error');
        assert.ok(text.includes(file) && text.includes(must), `${file}: "${text}" should say "${must}"`);
      } else if (outcome === 'crash') {
        // A panic in a dependency's reader: the worker stops (panic = "abort") and is replaced.
        await page.waitForSelector('.file-error');
        const text = await page.textContent('.file-error');
        assert.ok(text.includes(`${file}: this file could not be read (the reader crashed)`), `${file}: "${text}"`);
        forgetCrash();
      } else {
        await counts();
        const rule = must.split(':')[0];
        await page.selectOption('#rule-filter', rule);
        await page.waitForSelector('.cell-row');
        await page.locator('.cell-row').first().click();
        await page.waitForSelector('#explain');
        const text = await page.textContent('#explain');
        assert.ok(text.includes(must.slice(rule.length + 2)), `${file}: "${text}" should say "${must}"`);
        await page.click('#close-explain');
      }
      if (file === 'malformed.csv') await page.screenshot({ path: join(artifacts, '05-bad-input.png') });
      await page.selectOption('#preset', 'essnet');
      await load(good, ['table_semicolon.csv']);
      await page.waitForSelector('#count-unsafe');
      if (outcome !== 'crash') {
        // A file that could not be checked (here under essnet) is in the exported report with its error and
        // hash; microdata that was offered, not tabulated, too.
        const report = JSON.parse((await download('#export-json')).toString());
        const bytes = readFileSync(join(bad, file));
        const listed = { name: file, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
        if (offered) {
          assert.deepEqual(report.failed.map((f) => f.name), [file]);
        } else if (await page.locator('.file-error').count()) {
          const error = (await page.textContent('.file-error')).replace(/^[^:]*: /, '');
          assert.deepEqual(report.failed, [{ ...listed, error }]);
        } else {
          assert.equal(report.failed, undefined, `${file} checked under essnet`);
        }
      }
    });
  }

  await step('a file that crashes the reader (a panic in arrow2) stops the worker; it is replaced, that file says so, the others stay checked', async () => {
    await clear();
    const dir = mkdtempSync(join(tmpdir(), 'cellguard-crash-'));
    const table = readFileSync(join(good, 'table_semicolon.csv'));
    const crash = 'fuzz_binary_value_past_its_page.parquet';
    writeFileSync(join(dir, crash), readFileSync(join(bad, crash)));
    for (const f of ['a.csv', 'b.csv']) writeFileSync(join(dir, f), table);
    const before = page.workers().find((w) => w.url().endsWith('/worker_loader.js'));
    assert.ok(before, `the checking worker runs: ${page.workers().map((w) => w.url())}`);
    await load(dir, ['a.csv', crash, 'b.csv']);
    await page.waitForSelector('.file-error');
    const text = await page.textContent('.file-error');
    assert.ok(text.includes(`${crash}: this file could not be read (the reader crashed)`), text);
    assert.equal(await page.locator('.file-error').count(), 1);
    const shown = await counts();
    const want = JSON.parse(cliReport(dir, ['a.csv'])).tables[0].summary;
    assert.deepEqual(shown, { cells: want.cells, safe: want.by_status.safe, review: want.by_status.review, unsafe: want.by_status.unsafe });
    assert.equal(await page.locator('.tabs .tab').count(), 2, 'both other tables are checked');
    assert.ok(!page.workers().includes(before), 'the crashed worker was replaced');
    // The exported reports list the file that could not be checked, with why; the others as checked.
    const report = JSON.parse((await download('#export-json')).toString());
    assert.deepEqual(report.inputs.map((i) => i.name), ['a.csv', 'b.csv']);
    assert.deepEqual(report.failed.map((f) => [f.name, f.bytes]), [[crash, statSync(join(dir, crash)).size]]);
    assert.ok(report.failed[0].error.includes('the reader crashed'), report.failed[0].error);
    const html = (await download('#export-html')).toString();
    assert.ok(html.includes('<h2 class="unsafe">Files that could not be checked</h2>') && html.includes(crash), 'the printable report lists it');
    await page.screenshot({ path: join(artifacts, '05b-reader-crashed.png') });
    forgetCrash();
    // The new worker checks on: the file is dropped again (read again), and another file checks.
    await clear();
    await load(good, ['table_semicolon.csv']);
    await counts();
  });

  await step('a long check shows its progress and can be cancelled; the next file still checks', async () => {
    await clear();
    // Six tables of 80³ = 512,000 cells each, checked one after the other: long enough, however fast the
    // checking gets, to see the progress bar and press Cancel.
    const lines = ['a,b,c,n,value,top1,top2'];
    for (let a = 0; a < 80; a++) for (let b = 0; b < 80; b++) for (let c = 0; c < 80; c++) {
      const n = (a * 7 + b * 3 + c) % 40;
      lines.push(`a${a},b${b},c${c},${n},${n * 100},${n ? 60 : ''},${n > 1 ? 30 : ''}`);
    }
    const text = lines.join('\n') + '\n';
    const big = [1, 2, 3, 4, 5, 6].map((k) => join(artifacts, `big_${k}.csv`));
    for (const f of big) writeFileSync(f, text);
    await page.setInputFiles('#pick', big);
    await page.waitForSelector('#busy progress');
    await page.screenshot({ path: join(artifacts, '07-progress.png') });
    await page.click('#cancel');
    await page.waitForSelector('#cancelled');
    assert.equal(await page.locator('#busy').count(), 0);
    assert.equal(await page.locator('#summary').count(), 0, 'no stale results after cancelling');
    await clear();
    await load(good, ['table_semicolon.csv']);
    const shown = await counts();
    assert.equal(shown.cells, 12);
  });

  await step('demo tables load, and microdata is tabulated in the page like the CLI', async () => {
    await clear();
    await page.click('#demo');
    await page.waitForSelector('#only-not-safe');
    await page.uncheck('#only-not-safe');
    await page.waitForSelector('.micro');
    const f = page.locator('.file[data-file="microdata.csv"]');
    await f.locator('.tab-row').nth(5).check(); // region
    await f.locator('.tab-col').nth(2).check(); // sex
    // The unit column is guessed from its name, and shown as the one used; without one the form says rows are
    // counted as units.
    assert.equal(await f.locator('.tab-unit').inputValue(), 'person_id');
    assert.equal(await f.locator('.tab-value').inputValue(), '');
    assert.equal(await f.locator('.tab-rows-as-units').count(), 0);
    await f.locator('.tab-unit').selectOption('');
    await f.locator('.tab-rows-as-units').waitFor();
    await f.locator('.tab-unit').selectOption('person_id');
    await f.locator('.tab-go').click();
    await page.waitForSelector('.tab:has-text("microdata_count.csv")');
    await page.click('.tab:has-text("microdata_count.csv")');
    await page.waitForSelector('#summary h2:has-text("microdata_count.csv")');
    const shown = await counts();
    const tmp = join(artifacts, 'microdata_count.csv');
    execFileSync(cli, ['tabulate', join(dist, 'demo/microdata.csv'), '--rows', 'region', '--cols', 'sex', '--agg', 'count', '--unit', 'person_id', '--margins', '-o', tmp]);
    const want = JSON.parse(cliReport(artifacts, ['microdata_count.csv'])).tables[0].summary;
    assert.equal(shown.cells, want.cells);
    assert.equal(shown.unsafe, want.by_status.unsafe);
    await page.waitForSelector(`#matching:has-text("${want.cells} ")`);
    await page.waitForSelector('.cell-row');
    await page.screenshot({ path: join(artifacts, '06-microdata.png'), fullPage: true });
    // The form still offers the microdata's own columns, so it can be tabulated again.
    const header = readFileSync(join(dist, 'demo/microdata.csv'), 'utf8').split('\n')[0].split(',');
    await page.evaluate(() => document.querySelectorAll('.file[data-file="microdata.csv"] details').forEach((d) => { d.open = true; }));
    assert.deepEqual(await f.locator('.tab-row').evaluateAll((xs) => xs.map((x) => x.parentElement.textContent)), header);
  });

  await step('a picked folder\'s files carry its partition keys as columns and are tabulated together, as the CLI does; keys can be typed', async () => {
    // The demo microdata split by a made-up year into Hive folders, picked as a folder: each file is named by its
    // path in it, and `year` is offered as a dimension. The demo's own `year` column is left out (a key that is
    // also a column is an error).
    const rows = readFileSync(join(dist, 'demo/microdata.csv'), 'utf8').trim().split('\n')
      .map((line) => line.split(',').filter((_, i) => i !== 1).join(','));
    const top = mkdtempSync(join(tmpdir(), 'cellguard-e2e-'));
    const folder = join(top, 'population');
    for (const [k, year] of ['2019', '2020'].entries()) {
      mkdirSync(join(folder, `year=${year}`), { recursive: true });
      const part = rows.slice(1).filter((_, i) => i % 3 !== k); // a person is in one year or both
      writeFileSync(join(folder, `year=${year}`, 'part.csv'), [rows[0], ...part].join('\n') + '\n');
    }
    await clear();
    await page.setInputFiles('#pick-folder', folder);
    const [first, second] = ['population/year=2019/part.csv', 'population/year=2020/part.csv'];
    const f = page.locator(`.file[data-file="${first}"]`);
    await f.locator('.micro').waitFor();
    await page.locator(`.file[data-file="${second}"] .micro`).waitFor();
    const offered = await f.locator('.tab-row').evaluateAll((xs) => xs.map((x) => x.parentElement.textContent));
    assert.equal(offered.at(-1), 'year', `${offered}`);
    await f.locator('.tab-row').last().check(); // year
    await f.locator('.tab-col').nth(offered.indexOf('sex')).check();
    await f.locator('.tab-with').check(); // the 2020 file
    await f.locator('.tab-go').click();
    const shownOf = async (table) => {
      await page.waitForSelector(`.tab:has-text("${table}")`);
      await page.click(`.tab:has-text("${table}")`);
      await page.waitForSelector(`#summary h2:has-text("${table}")`);
      return counts();
    };
    const wantOf = (inputs, args, name) => {
      execFileSync(cli, ['tabulate', ...inputs, ...args, '--agg', 'count', '--unit', 'person_id', '--margins', '-o', join(artifacts, name)]);
      return { text: readFileSync(join(artifacts, name), 'utf8'), summary: JSON.parse(cliReport(artifacts, [name])).tables[0].summary };
    };
    const both = await shownOf('population/year=2019/part_count.csv');
    const wantBoth = wantOf([join(folder, 'year=2019/part.csv'), join(folder, 'year=2020/part.csv')], ['--rows', 'year', '--cols', 'sex'], 'both_years.csv');
    assert.match(wantBoth.text, /^2019,/m);
    assert.match(wantBoth.text, /^2020,/m);
    assert.deepEqual(both, { cells: wantBoth.summary.cells, safe: wantBoth.summary.by_status.safe, review: wantBoth.summary.by_status.review, unsafe: wantBoth.summary.by_status.unsafe });
    // A key typed for a file is a column too: the CLI finds the same key in the file's path.
    mkdirSync(join(top, 'wave=2/year=2020'), { recursive: true });
    writeFileSync(join(top, 'wave=2/year=2020/part.csv'), readFileSync(join(folder, 'year=2020/part.csv')));
    const g = page.locator(`.file[data-file="${second}"]`);
    await g.locator('.tab-keys').fill('wave=2');
    await g.locator('.tab-keys').dispatchEvent('change');
    await g.locator('.tab-row').nth(offered.length).waitFor();
    assert.equal(await g.locator('.tab-row').nth(offered.length).evaluate((x) => x.parentElement.textContent), 'wave');
    await g.locator('.tab-row').nth(offered.length).check();
    await g.locator('.tab-col').nth(offered.indexOf('sex')).check();
    await g.locator('.tab-go').click();
    const typed = await shownOf('population/year=2020/part_count.csv');
    const wantTyped = wantOf([join(top, 'wave=2/year=2020/part.csv')], ['--rows', 'wave', '--cols', 'sex'], 'typed_key.csv');
    assert.match(wantTyped.text, /^2,/m);
    assert.deepEqual(typed, { cells: wantTyped.summary.cells, safe: wantTyped.summary.by_status.safe, review: wantTyped.summary.by_status.review, unsafe: wantTyped.summary.by_status.unsafe });
  });

  await step('after a policy change while the table was scrolled, the table shows the rows it counts', async () => {
    await clear();
    await page.click('#demo');
    await page.waitForSelector('.micro');
    await counts();
    await page.uncheck('#only-not-safe');
    await page.waitForSelector('.cell-row');
    const tall = await page.evaluate(() => {
      const v = document.getElementById('viewport');
      v.scrollTop = v.scrollHeight;
      v.dispatchEvent(new Event('scroll'));
      return v.scrollHeight > 2 * v.clientHeight;
    });
    assert.ok(tall, 'the table is taller than its box');
    const map = await page.evaluate(() => document.getElementById('heat').getBoundingClientRect().height);
    assert.ok(map > 0 && map <= 242, `the status map stays within its box: ${map}px`);
    await page.waitForFunction(() => document.getElementById('viewport').scrollTop > 0);
    await page.selectOption('#preset', 'acro');
    await page.waitForFunction(() => document.querySelector('#policy-toml summary b')?.textContent === 'acro');
    await page.waitForFunction(() => document.getElementById('viewport')?.scrollTop === 0);
    await page.waitForSelector('.cell-row');
    const matching = Number((await page.textContent('#matching')).split(' ')[0]);
    // Rows in the scroll box's visible part, not only somewhere in it.
    const seen = await page.evaluate(() => {
      const box = document.getElementById('viewport').getBoundingClientRect();
      return [...document.querySelectorAll('#viewport .cell-row')]
        .filter((r) => { const b = r.getBoundingClientRect(); return b.bottom > box.top && b.top < box.bottom; }).length;
    });
    assert.ok(matching > 0 && seen > 0, `${matching} matching cells, ${seen} rows in view`);
    await page.selectOption('#preset', 'essnet');
  });

  await step('the status map shows how much of each place is not safe, and a click on it goes to that place\'s cell', async () => {
    await clear();
    // 600 regions × 2: the map is 2 × 200 pixels, 3 regions a pixel. Region r500 is the one unsafe region:
    // one of the three of its pixel, so that pixel is a pale red.
    const dir = mkdtempSync(join(tmpdir(), 'cellguard-map-'));
    let csv = 'region,sex,n\n';
    for (let i = 0; i < 600; i++) for (const sex of ['F', 'M']) csv += `r${String(i).padStart(3, '0')},${sex},${i === 500 && sex === 'M' ? 3 : 40}\n`;
    writeFileSync(join(dir, 'tall.csv'), csv);
    await load(dir, ['tall.csv']);
    await counts();
    const pixel = (x, y) => page.evaluate(([x, y]) => [...document.getElementById('heat').getContext('2d').getImageData(x, y, 1, 1).data], [x, y]);
    assert.deepEqual(await pixel(1, 166), [234, 140, 134, 255], 'one unsafe cell of three: a third of the way to the full red and more');
    assert.deepEqual(await pixel(0, 166), [0x4c, 0xaf, 0x50, 255], 'all safe: green');
    assert.match(await page.textContent('#legend'), /paler when fewer of them are not safe/);
    // Every row shown; the click on r500's pixel scrolls the table to it and gives it the focus.
    await page.uncheck('#only-not-safe');
    await page.waitForFunction(() => document.querySelectorAll('.cell-row').length > 0 && document.getElementById('matching')?.textContent.startsWith('1200 '));
    const box = await page.evaluate(() => { const c = document.getElementById('heat'); return [c.clientWidth, c.clientHeight, c.width, c.height]; });
    const scale = Math.min(box[0] / box[2], box[1] / box[3]);
    await page.click('#heat', { position: { x: 1.5 * scale, y: 166.5 * scale } });
    await page.waitForFunction(() => document.activeElement?.dataset?.cell === '1001');
    const inView = await page.evaluate(() => {
      const v = document.getElementById('viewport').getBoundingClientRect();
      const r = document.activeElement.getBoundingClientRect();
      return r.top >= v.top && r.bottom <= v.bottom;
    });
    assert.ok(inView, 'the row clicked to is in the visible part of the table');
    assert.match(await page.textContent('.cell-row:focus'), /r500M/);
    await page.screenshot({ path: join(artifacts, '10-map-jump.png') });
  });

  await step('axe-core finds no critical or serious violation in any view, in each language', async () => {
    await page.goto(server.url);
    await page.waitForSelector('.empty');
    await accessible('the empty page');
    for (const lang of ['en', 'nl', 'fr']) {
      await page.selectOption('#lang', lang);
      await page.waitForSelector(`.page[data-lang="${lang}"]`);
      await page.screenshot({ path: join(artifacts, `07-empty-${lang}.png`) });
    }
    await page.selectOption('#lang', 'en');
    await load(bad, ['malformed.csv']);
    await page.waitForSelector('.file-error');
    await accessible('a file that cannot be read');
    // The file's error in each language, every word of it.
    const said = {
      en: 'malformed.csv: line 3: the row has 4 fields, the header has 3; check separators and quotes',
      nl: 'malformed.csv: regel 3: de rij heeft 4 velden, de kopregel heeft er 3; controleer scheidingstekens en aanhalingstekens',
      fr: 'malformed.csv : ligne 3 : la ligne a 4 champs, l\'en-tête en a 3 ; vérifiez les séparateurs et les guillemets',
    };
    for (const lang of ['en', 'nl', 'fr']) {
      await page.selectOption('#lang', lang);
      await page.waitForSelector(`.page[data-lang="${lang}"]`);
      const text = await page.textContent('.file-error');
      assert.ok(text.endsWith(said[lang]), `${lang}: "${text}"`);
      await page.screenshot({ path: join(artifacts, `07-file-error-${lang}.png`) });
    }
    await page.selectOption('#lang', 'en');
    await clear();
    await page.click('#demo');
    await page.waitForSelector('.micro');
    await counts();
    await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
    for (const lang of ['en', 'nl', 'fr']) {
      await page.selectOption('#lang', lang);
      await page.waitForSelector(`.page[data-lang="${lang}"]`);
      await accessible(`the demo tables with every panel open (${lang})`);
      // Each view in each language, for people to look at: the tables with every panel open, and an explanation.
      await page.screenshot({ path: join(artifacts, `08-panels-${lang}.png`), fullPage: true });
      await page.locator('.cell-row').first().click();
      await page.waitForSelector('#explain');
      await page.screenshot({ path: join(artifacts, `09-explanation-${lang}.png`) });
      await page.keyboard.press('Escape');
      await page.waitForSelector('#explain', { state: 'detached' });
    }
    await page.selectOption('#lang', 'en');
    await page.waitForSelector('.page[data-lang="en"]');
    await page.locator('.cell-row').first().click();
    await page.waitForSelector('#explain');
    await accessible('a cell\'s explanation');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#explain', { state: 'detached' });
  });

  // The sign-off page: a package made by the CLI, reviewed and signed in the page, verified by the CLI; a bundle
  // signed by the CLI, verified in the page.
  const so = mkdtempSync(join(tmpdir(), 'cellguard-signoff-'));
  const soEnv = { ...process.env, CELLGUARD_PASSPHRASE: 'correct horse battery' };
  /** The CLI in the sign-off folder; returns { code, stdout }. */
  function soCli(args) {
    try {
      return { code: 0, stdout: String(execFileSync(cli, args, { cwd: so, env: soEnv, stdio: ['ignore', 'pipe', 'pipe'] })) };
    } catch (e) {
      return { code: e.status, stdout: String(e.stdout) + String(e.stderr) };
    }
  }
  soCli(['tabulate', join(root, 'demo/microdata.csv'), '--rows', 'region,origin', '--cols', 'sex', '--value', 'wage', '--agg', 'mean', '--unit', 'person_id', '-o', 'mean.csv']);
  soCli(['tabulate', join(root, 'demo/microdata.csv'), '--rows', 'region', '--cols', 'sex', '--unit', 'person_id', '-o', 'counts.csv']);
  writeFileSync(join(so, 'note.txt'), 'Wages are 2022 euros.\n');
  assert.equal(soCli(['package', 'new', 'p.zip', '--project', 'IVC/KSZG 24/194', '--researcher', 'A. Researcher']).code, 0);
  assert.equal(soCli(['package', 'add', 'p.zip', 'mean.csv', 'counts.csv', 'note.txt']).code, 0);
  assert.equal(soCli(['package', 'check', 'p.zip']).code, 1);

  await step('a package made by the CLI is reviewed and signed in the sign-off page; the CLI verifies the bundle', async () => {
    await page.goto(server.url);
    await page.click('#signoff-link');
    await page.click('#tab-review');
    await page.waitForSelector('#open-package');
    await page.setInputFiles('#open-package', join(so, 'p.zip'));
    await page.waitForSelector('tr[data-output="note.txt"]');
    assert.equal(await page.locator('.output-row').count(), 3);
    assert.match(await page.textContent('tr[data-output="counts.csv"] .output-check'), /8 cells: 8 safe, 0 to review, 0 unsafe/);
    // The reviewer opens a table's cells that are not safe: each with its coordinates and the rules that fired,
    // as many as the CLI's check of the same file under the package's policy finds.
    const notSafe = JSON.parse(cliReport(so, ['mean.csv'])).tables[0].summary;
    const cells = page.locator('details.cells[data-output="mean.csv"]');
    assert.match(await cells.locator('summary').textContent(), new RegExp(`^${notSafe.by_status.unsafe + notSafe.by_status.review} cells not safe`));
    await cells.locator('summary').click();
    assert.equal(await cells.locator('li.cell').count(), notSafe.by_status.unsafe + notSafe.by_status.review);
    assert.match(await cells.locator('li.cell').first().textContent(), /region = .*sex = .*\(row \d+\): (unsafe|review).*: /);
    assert.equal(await page.locator('.cells-none').count(), 1); // counts.csv: every cell safe
    await page.click('.key summary');
    await page.fill('#new-name', 'P. Reviewer');
    await page.fill('#new-passphrase', 'page passphrase 1');
    await page.fill('#new-passphrase-again', 'page passphrase 1');
    await page.click('#create-key');
    await page.waitForSelector('#key-unlocked');
    writeFileSync(join(so, 'page.pub.json'), await download('#save-public'));
    writeFileSync(join(so, 'page.key.json'), await download('#save-key'));
    // Approving the table with unsafe cells without a comment is refused, with the rule, before signing.
    const row = (name) => `tr[data-output="${name}"]`;
    await page.selectOption(`${row('mean.csv')} select.verdict`, 'approve');
    await page.waitForSelector(`${row('mean.csv')} .rule-problem`);
    assert.match(await page.textContent(`${row('mean.csv')} .rule-problem`), /a comment is required to approve a table with \d+ unsafe cells?/);
    assert.ok(await page.isDisabled('#sign'));
    await page.selectOption(`${row('mean.csv')} select.verdict`, 'reject');
    await page.fill(`${row('mean.csv')} textarea`, 'Cells with too few units.');
    await page.selectOption(`${row('counts.csv')} select.verdict`, 'approve');
    await page.selectOption(`${row('note.txt')} select.verdict`, 'approve');
    await page.fill(`${row('note.txt')} textarea`, 'A method note, no figures.');
    await page.waitForSelector(`${row('mean.csv')} .rule-problem`, { state: 'detached' });
    await accessible('the sign-off page with a package under review');
    writeFileSync(join(so, 'page.release.zip'), await download('#sign'));
    await page.waitForSelector('#signed');
    await page.screenshot({ path: join(artifacts, 'signoff-review.png'), fullPage: true });
    assert.match(await page.textContent('#signed'), /counts\.csv, note\.txt/);
    const v = soCli(['verify', 'page.release.zip', '--trust', 'page.pub.json', '--extract', 'released']);
    assert.equal(v.code, 0, v.stdout);
    assert.match(v.stdout, /ok counts\.csv\nok note\.txt/);
    assert.deepEqual(readdirSync(join(so, 'released')).sort(), ['counts.csv', 'note.txt']);
    assert.deepEqual(readFileSync(join(so, 'released/counts.csv')), readFileSync(join(so, 'counts.csv')));
  });

  await step('a package made in the sign-off page is reviewed and signed there; the CLI reads it and verifies the bundle', async () => {
    await page.goto(server.url + 'signoff.html');
    await page.waitForSelector('#project');
    await page.fill('#project', 'IVC/KSZG 24/194');
    await page.fill('#researcher', 'B. Researcher');
    await page.setInputFiles('#add-outputs', ['mean.csv', 'counts.csv', 'note.txt'].map((f) => join(so, f)));
    const out = (name) => `fieldset.draft-output[data-output="${name}"]`;
    await page.waitForSelector(out('note.txt'));
    assert.match(await page.textContent(`${out('counts.csv')} .output-check`), /8 cells: 8 safe, 0 to review, 0 unsafe/);
    await page.click(`${out('mean.csv')} .add-request`);
    await page.selectOption(`${out('mean.csv')} .request select`, 'published-elsewhere');
    await page.fill(`${out('mean.csv')} .justification`, 'Statbel, table 4');
    await page.fill(`${out('note.txt')} .comments`, 'How the classes were made.');
    await accessible('the package tab with three outputs');
    writeFileSync(join(so, 'page-made.zip'), await download('#save-package'));
    const show = soCli(['package', 'show', 'page-made.zip']);
    assert.equal(show.code, 0, show.stdout);
    assert.match(show.stdout, /researcher: B\. Researcher/);
    assert.match(show.stdout, /request published-elsewhere: Statbel, table 4/);
    assert.match(show.stdout, /- counts\.csv \(table, \d+ bytes\): 8 cells, 8 safe, 0 to review, 0 unsafe/);
    // Reviewed in the page with the key file saved before.
    await page.click('#tab-review');
    await page.setInputFiles('#open-package', join(so, 'page-made.zip'));
    await page.waitForSelector('tr[data-output="note.txt"]');
    assert.match(await page.textContent('tr[data-output="note.txt"]'), /How the classes were made\./);
    await page.setInputFiles('#open-key', join(so, 'page.key.json'));
    await page.fill('#passphrase', 'page passphrase 1');
    await page.click('#unlock');
    await page.waitForSelector('#key-unlocked');
    const row = (name) => `tr[data-output="${name}"]`;
    await page.selectOption(`${row('mean.csv')} select.verdict`, 'reject');
    await page.fill(`${row('mean.csv')} textarea`, 'Cells with too few units.');
    await page.selectOption(`${row('counts.csv')} select.verdict`, 'approve');
    await page.selectOption(`${row('note.txt')} select.verdict`, 'approve');
    await page.fill(`${row('note.txt')} textarea`, 'No figures.');
    writeFileSync(join(so, 'page-made.release.zip'), await download('#sign'));
    const v = soCli(['verify', 'page-made.release.zip', '--trust', 'page.pub.json']);
    assert.equal(v.code, 0, v.stdout);
    assert.match(v.stdout, /signed by P\. Reviewer/);
  });

  await step('a bundle signed by the CLI is verified in the page; an untrusted key and a wrong passphrase are named', async () => {
    assert.equal(soCli(['keygen', '--name', 'C. Reviewer']).code, 0);
    writeFileSync(join(so, 'd.toml'), '[[decision]]\noutput = "mean.csv"\ndecision = "reject"\ncomment = "Too few units."\n\n[[decision]]\noutput = "counts.csv"\ndecision = "approve"\n');
    assert.equal(soCli(['review', 'p.zip', '--key', 'reviewer.key.json', '--decisions', 'd.toml']).code, 0);
    await page.goto(server.url + 'signoff.html');
    await page.click('#tab-verify');
    await page.setInputFiles('#open-bundle', join(so, 'p.release.zip'));
    await page.setInputFiles('#open-trust', join(so, 'reviewer.pub.json'));
    await page.waitForSelector('#verify-ok');
    assert.match(await page.textContent('#verification'), /C\. Reviewer/);
    await accessible('a verified bundle');
    // The page's own key is not the signer's.
    await page.goto(server.url + 'signoff.html');
    await page.click('#tab-verify');
    await page.setInputFiles('#open-bundle', join(so, 'p.release.zip'));
    await page.setInputFiles('#open-trust', join(so, 'page.pub.json'));
    await page.waitForSelector('#verify-failed');
    await page.screenshot({ path: join(artifacts, 'signoff-verify-failed.png'), fullPage: true });
    assert.match(await page.textContent('.failures'), /which is not among the trusted keys/);
    await accessible('a bundle that does not verify');
    // The key file saved from the page opens with its passphrase only.
    await page.click('#tab-review');
    await page.setInputFiles('#open-package', join(so, 'p.zip'));
    await page.setInputFiles('#open-key', join(so, 'page.key.json'));
    await page.fill('#passphrase', 'not the passphrase');
    await page.click('#unlock');
    await page.waitForSelector('.file-error');
    assert.match(await page.textContent('.file-error'), /the passphrase does not open this key file/);
    await page.fill('#passphrase', 'page passphrase 1');
    await page.click('#unlock');
    await page.waitForSelector('#key-unlocked');
    for (const lang of ['nl', 'fr', 'en']) {
      await page.selectOption('#lang', lang);
      await page.waitForSelector(`.page[data-lang="${lang}"]`);
      assert.equal(await page.locator('xpath=//*[normalize-space(text())="?"]').count(), 0, `a word is missing in ${lang}`);
      await accessible(`the sign-off page (${lang})`);
    }
  });

  await step('no request left the local server and the page logged no error', async () => {
    const outside = requests.filter((u) => !u.startsWith(server.url) && !u.startsWith('blob:') && !u.startsWith('data:'));
    assert.deepEqual(outside, []);
    assert.ok(requests.some((u) => u.endsWith('cellguard-worker_bg.wasm')), 'the worker was loaded');
    assert.ok(requests.some((u) => u.endsWith('cellguard-signoff_bg.wasm')), 'the sign-off module was loaded');
    assert.ok(requests.some((u) => u.endsWith('cellguard-protect_bg.wasm')), 'the protect module was loaded');
    assert.ok(requests.some((u) => u.endsWith('cellguard-export_bg.wasm')), 'the export module was loaded');
    assert.deepEqual(pageErrors, []);
  });
  console.log(`all ${passed} end-to-end checks passed; screenshots in ${artifacts}`);
} finally {
  await close();
  server.stop();
}
