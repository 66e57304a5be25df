// Prints the JavaScript the first load of the app shell needs, gzipped, and fails above the
// budget (150 KB, issue 6). "First load" = the scripts index.html loads plus their static
// imports (modulepreload links); the service worker is fetched separately and not counted.
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

export const BUDGET_BYTES = 150 * 1024;
const dist = new URL('../dist/', import.meta.url);
const html = readFileSync(new URL('index.html', dist), 'utf8');
const scripts = new Set();
for (const match of html.matchAll(/<script[^>]+src="\/([^"]+\.js)"/g)) scripts.add(match[1]);
for (const match of html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+\.js)"/g)) scripts.add(match[1]);

let total = 0;
const files = [];
for (const path of scripts) {
  const bytes = gzipSync(readFileSync(new URL(path, dist)), { level: 9 }).length;
  files.push({ path, gzip_bytes: bytes });
  total += bytes;
}
const report = { first_load_js_gzip_bytes: total, budget_bytes: BUDGET_BYTES, files };
writeFileSync(new URL('bundle-size.json', dist), JSON.stringify(report, null, 2));
console.log(`First-load JavaScript: ${(total / 1024).toFixed(1)} KB gzipped (budget ${BUDGET_BYTES / 1024} KB)`);
for (const f of files) console.log(`  ${f.path}: ${(f.gzip_bytes / 1024).toFixed(1)} KB`);
if (!scripts.size) {
  console.error('No scripts found in dist/index.html: is the build broken?');
  process.exit(1);
}
if (total > BUDGET_BYTES) {
  console.error('Over budget.');
  process.exit(1);
}
