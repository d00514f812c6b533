/** Default values of goneat-deploy.yaml fields. Pure. */

export const DEFAULTS = {
  tag: 'latest',
  signal: 'SIGTERM',
  drainMs: 10_000,
  preStopMs: 0,
  slackMs: 2_000,
  uid: 65532,
  ldflags: '-s -w -buildid=',
  healthIntervalMs: 10_000,
  healthTimeoutMs: 2_000,
  healthStartPeriodMs: 30_000,
  healthFailureThreshold: 3,
} as const;
