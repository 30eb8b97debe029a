/* global process */
// Builds the web UI (web/) into dist/web: one bundle (esbuild) plus the page and its styles.
// Run by `npm run build` (and so by `npm install`); `--watch` rebuilds on change.
import { build, context } from 'esbuild';
import { cpSync, mkdirSync } from 'node:fs';

const out = 'dist/web';
mkdirSync(out, { recursive: true });
cpSync('web/index.html', `${out}/index.html`);
cpSync('web/style.css', `${out}/style.css`);
const options = {
  entryPoints: ['web/src/main.tsx'],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  outfile: `${out}/app.js`,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
};
if (process.argv.includes('--watch')) await (await context(options)).watch();
else await build(options);
