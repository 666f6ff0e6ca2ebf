// The benchmarks' server on 127.0.0.1: a built page (bench/out by default; www/dist for app.mjs)
// and the generated workbooks from target/bench-data under /data/. Shared by run.mjs, profile.mjs
// and app.mjs.
import { createServer } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css' };

/** Starts the server for the page in `pageDir` (relative to this file); resolves to its base URL
 * and the server (to close). */
export async function serveBench(pageDir = '../out/') {
  const data = here('../../target/bench-data/');
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const file = url.pathname.startsWith('/data/')
      ? data + decodeURIComponent(url.pathname.slice(6)).replace(/[/\\]/g, '')
      : here(pageDir) + (url.pathname === '/' ? 'index.html' : url.pathname.slice(1).replace(/[/\\]/g, ''));
    if (!existsSync(file)) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${server.address().port}/`, server };
}
