/**
 * Worker thread for Go source lint: parses and analyses Go files while the
 * main thread parses the YAML, Dockerfiles and unit files (a monorepo's two
 * biggest costs, on two cores at once). Message in: { files: [{path, text}] };
 * message out: { results: [{file, findings}] } or { error }.
 */
import { parentPort } from 'node:worker_threads';
import { analyzeGo, goParser } from './go.js';

parentPort?.on('message', async (msg: { files: Array<{ path: string; text: string }> }) => {
  try {
    const p = await goParser();
    parentPort!.postMessage({ results: msg.files.map((f) => ({ file: f.path, findings: analyzeGo(p, f.text) })) });
  } catch (err) {
    parentPort!.postMessage({ error: (err as Error).message });
  }
});
