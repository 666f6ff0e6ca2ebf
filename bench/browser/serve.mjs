// The benchmark page's own server on 127.0.0.1: the built page from bench/out and the generated
// workbooks from target/bench-data under /data/. Shared by run.mjs and profile.mjs.
import { createServer } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

/** Starts the server; resolves to its base URL and the server (to close). */
export async function serveBench() {
  const data = here('../../target/bench-data/');
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const file = url.pathname.startsWith('/data/')
      ? data + decodeURIComponent(url.pathname.slice(6)).replace(/[/\\]/g, '')
      : here('../out/') + (url.pathname === '/' ? 'index.html' : url.pathname.slice(1).replace(/[/\\]/g, ''));
    if (!existsSync(file)) { res.writeHead(404).end(); return; }
    res.writeHead(200).end(readFileSync(file));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${server.address().port}/`, server };
}
