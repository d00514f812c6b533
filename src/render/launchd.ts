/**
 * launchd property list (launchd.plist(5)). launchd must not see the job
 * daemonize itself: the service runs in the foreground, KeepAlive restarts
 * it, and on stop launchd sends SIGTERM and SIGKILLs after ExitTimeOut.
 * Built with the plist library, which escapes XML. Pure.
 */
// The builder alone: plist's index also loads its parser and @xmldom (~220 KB) that rendering never needs.
import { build as buildPlist } from 'plist/lib/build.js';
import type { PlistValue } from 'plist';
import type { ServiceSpec } from '../model/service.js';
import { withHeader, type RenderedFile } from '../model/generated.js';

export function launchdPlist(spec: ServiceSpec): Record<string, PlistValue> {
  const h = spec.host;
  const job: Record<string, PlistValue> = {
    Label: h.launchdLabel,
    ProgramArguments: [h.binaryPath, ...spec.args],
    WorkingDirectory: h.launchdWorkingDirectory,
  };
  if (spec.env.length) job.EnvironmentVariables = Object.fromEntries(spec.env);
  if (h.user) job.UserName = h.user;
  Object.assign(job, {
    RunAtLoad: true,
    KeepAlive: true,
    // launchd stops with SIGTERM, then SIGKILL after this many seconds: the shutdown budget.
    ExitTimeOut: spec.shutdown.timeoutSeconds,
    ThrottleInterval: 10,
    ProcessType: 'Standard',
    StandardOutPath: `${h.logDirectory}/${spec.name}.log`,
    StandardErrorPath: `${h.logDirectory}/${spec.name}.err.log`,
  });
  return job;
}

export function renderLaunchd(spec: ServiceSpec, dir = 'launchd'): RenderedFile {
  const body = `${buildPlist(launchdPlist(spec), { indent: '  ' } as never)}\n`;
  return { path: `${dir}/${spec.host.launchdLabel}.plist`, content: withHeader('xml', body) };
}
