/**
 * Signals and inits: which stop signals a supervisor may send a Go service,
 * which are refused and why, and which PID 1 programs are inits. One list for
 * the config (model), lint and verify. Pure.
 */

/** Inits that forward signals and reap zombies as PID 1 (lint looks for them in files, verify in the running container). */
export const INITS = ['tini', 'tini-static', 'docker-init', 'dumb-init', 'catatonit', 's6-svscan', 'init'];

/** Whether a program path ("/sbin/tini") is one of INITS. */
export function isInit(argv0: string | undefined): boolean {
  return argv0 !== undefined && INITS.includes(argv0.split('/').pop()!);
}

/** Signals a supervisor may use to stop a Go service, and why the others are refused. */
export const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGUSR1'] as const;
export const REFUSED_STOP_SIGNALS: Record<string, string> = {
  SIGHUP: 'SIGHUP means "your terminal went away"; a service that exits on it is the nohup bug this tool exists to avoid. Use SIGTERM',
  SIGUSR2: 'SIGUSR2 is tRPC-Go\'s hot restart (fork/exec then the parent exits): under tini or a supervisor the first child exiting ends the service. Use SIGTERM and rolling updates',
  SIGKILL: 'SIGKILL cannot be handled, so nothing drains; supervisors send it by themselves when the stop timeout ends. Use SIGTERM',
  SIGSTOP: 'SIGSTOP cannot be handled and only pauses the process. Use SIGTERM',
};
