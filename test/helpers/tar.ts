/** Reading tar archives (docker save output, image layers) in tests. */
import { spawn } from 'node:child_process';
import tar from 'tar-stream';

/** Every entry of a tar archive, by name, in a map (archive order). */
export function untar(input: Buffer | NodeJS.ReadableStream): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const files = new Map<string, Buffer>();
    const ex = tar.extract();
    ex.on('entry', (h, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => void chunks.push(c as Buffer));
      stream.on('end', () => {
        files.set(h.name, Buffer.concat(chunks));
        next();
      });
    });
    ex.on('finish', () => resolve(files));
    ex.on('error', reject);
    if (Buffer.isBuffer(input)) ex.end(input);
    else input.pipe(ex);
  });
}

/** Lists the paths in an image's layers (from `docker save`), exactly what the image holds. */
export async function imageFiles(image: string): Promise<string[]> {
  const saved = await untar(spawn('docker', ['save', image]).stdout);
  const manifest = JSON.parse(saved.get('manifest.json')!.toString()) as Array<{ Layers: string[] }>;
  const files: string[] = [];
  for (const layer of manifest[0]!.Layers) files.push(...(await untar(saved.get(layer)!)).keys());
  return files;
}
