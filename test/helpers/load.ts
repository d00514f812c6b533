/**
 * A light, steady HTTP load against 127.0.0.1 (or an address the test made,
 * like a Kubernetes Service's cluster IP), one new connection per request (no
 * keep-alive), counting what completed, failed, or was refused.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface LoadResult {
  sent: number;
  ok: number;
  /** Answered with a status other than 200. */
  badStatus: number;
  /** Connection refused: nothing was listening (counted apart: the request never reached a service). */
  refused: number;
  /** Accepted, then failed: reset, timeout, truncated. */
  failed: number;
  errors: string[];
}

export function request(port: number, path: string, timeoutMs = 15_000, host = '127.0.0.1'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path, agent: false, headers: { connection: 'close' }, timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
  });
}

export interface RequestRecord {
  start: number;
  end: number;
  outcome: 'ok' | 'status' | 'refused' | 'failed';
  detail?: string;
}

export class Load {
  private running = true;
  /** Every request, with its start and end (performance.now()). */
  readonly log: RequestRecord[] = [];
  private readonly workers: Promise<void>[] = [];
  readonly result: LoadResult = { sent: 0, ok: 0, badStatus: 0, refused: 0, failed: 0, errors: [] };

  private readonly inflight = new Set<Promise<void>>();
  private ticker: NodeJS.Timeout | undefined;

  /**
   * `port` may be a function: a router choosing a backend per request.
   * `concurrency` workers send one request after another; `openLoop` also
   * fires a request every `everyMs` regardless of answers, so some are
   * always in flight (for drain tests).
   */
  constructor(
    port: number | (() => number),
    opts: { concurrency?: number; path?: () => string; pauseMs?: number; openLoop?: { everyMs: number; path: string }; host?: string } = {},
  ) {
    const portOf = typeof port === 'function' ? port : () => port;
    const once = async (p: string) => {
      this.result.sent++;
      const start = performance.now();
      try {
        const r = await request(portOf(), p, 15_000, opts.host);
        if (r.status === 200) {
          this.result.ok++;
          this.log.push({ start, end: performance.now(), outcome: 'ok' });
        } else {
          this.result.badStatus++;
          this.result.errors.push(`status ${r.status}`);
          this.log.push({ start, end: performance.now(), outcome: 'status', detail: String(r.status) });
        }
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ECONNREFUSED') {
          this.result.refused++;
          this.log.push({ start, end: performance.now(), outcome: 'refused' });
        } else {
          this.result.failed++;
          this.result.errors.push(`${code ?? ''} ${(err as Error).message}`);
          this.log.push({ start, end: performance.now(), outcome: 'failed', detail: code ?? (err as Error).message });
        }
      }
    };
    if (opts.openLoop) {
      const { everyMs, path } = opts.openLoop;
      this.ticker = setInterval(() => {
        const pr = once(path).finally(() => this.inflight.delete(pr));
        this.inflight.add(pr);
      }, everyMs);
    }
    const concurrency = opts.concurrency ?? 4;
    const pathOf = opts.path ?? (() => '/');
    for (let i = 0; i < concurrency; i++) {
      this.workers.push(
        (async () => {
          while (this.running) {
            const before = this.result.ok;
            await once(pathOf());
            // Back off a little after a failure, so a replica that is down is not hammered.
            if (this.result.ok === before) await new Promise((r) => setTimeout(r, 50));
            else if (opts.pauseMs) await new Promise((r) => setTimeout(r, opts.pauseMs));
          }
        })(),
      );
    }
  }

  async stop(): Promise<LoadResult> {
    this.running = false;
    if (this.ticker) clearInterval(this.ticker);
    await Promise.all([...this.workers, ...this.inflight]);
    return this.result;
  }
}
