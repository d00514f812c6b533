/**
 * What the process must undo if it has to end before a command comes back: the
 * registry src/bin.ts empties when a second Ctrl-C (or its watchdog) ends the
 * process at once. Work that leaves something behind while it runs — the
 * writer's temp files and new directories — registers a synchronous cleanup
 * and a one-line account of what the user is left with ("no file was
 * written"); it unregisters when it is done. Synchronous, because it runs just
 * before process.exit.
 */

export interface PendingWork {
  /** Undo what is half-done (sync: unlink temp files, remove new directories). */
  cleanup(): void;
  /** What is left once cleanup has run, for the one line the process prints. */
  left(): string;
}

const pending = new Set<PendingWork>();

/** Registers `work` until the returned function is called. */
export function registerPendingWork(work: PendingWork): () => void {
  pending.add(work);
  return () => void pending.delete(work);
}

/** Runs every registered cleanup (last registered first) and returns what each leaves. Never throws. */
export function cleanUpPendingWork(): string[] {
  const left: string[] = [];
  for (const w of [...pending].reverse()) {
    try {
      w.cleanup();
    } catch {
      // A cleanup that fails leaves what it could not undo; the others still run.
    }
    try {
      left.push(w.left());
    } catch {
      // nothing to say
    }
    pending.delete(w);
  }
  return left;
}
