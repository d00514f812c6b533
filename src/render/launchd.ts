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

/**
 * The job dictionary (launchd.plist(5)):
 *  - KeepAlive true: "unconditionally keep the job alive" — restarted whenever
 *    it exits, with any status; "jobs that exit quickly and frequently ... will
 *    be throttled", at most one spawn per ThrottleInterval (default 10 s).
 *  - ExitTimeOut: "the amount of time launchd waits before sending a SIGKILL
 *    signal. The default value is 20 seconds. The value zero is interpreted as
 *    infinity" — the shutdown budget, at least 1 s, so never 0. launchd sends
 *    SIGTERM first; it has no setting for another stop signal.
 *  - Umask: an integer in decimal ("Property lists don't support octal").
 * Source: launchd.plist(5), launchd-842 (mirrored in freebsd/openlaunchd man/launchd.plist.5).
 */
export function launchdPlist(spec: ServiceSpec): Record<string, PlistValue> {
  const h = spec.host;
  const job: Record<string, PlistValue> = {
    Label: h.launchdLabel,
    // trpc-go: the config's path on the host (host.configPath), never the image's /app/trpc_go.yaml.
    ProgramArguments: [h.binaryPath, ...h.launchdArgs],
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
    Umask: parseInt(h.umask, 8),
    StandardOutPath: `${h.logDirectory}/${spec.name}.log`,
    StandardErrorPath: `${h.logDirectory}/${spec.name}.err.log`,
  });
  return job;
}

/**
 * Characters every XML reader takes as they are only when written as character
 * references: XML 1.1 (§2.11) turns a raw U+0085 or U+2028 into a line feed (and @xmldom U+2029 too)
 * before parsing, and allows DEL and the C1 controls (U+007F–U+009F) only as
 * references ("RestrictedChar"); XML 1.0 accepts the references too. The plist
 * builder escapes only &, <, > and CR; these follow. (Measured: @xmldom reads a
 * raw U+2028 back as "\n", Python's plistlib keeps it.)
 */
function xmlCharRefs(xml: string): string {
  return xml.replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`);
}

export function renderLaunchd(spec: ServiceSpec, dir = 'launchd'): RenderedFile {
  const body = `${xmlCharRefs(buildPlist(launchdPlist(spec), { indent: '  ' } as never))}\n`;
  return { path: `${dir}/${spec.host.launchdLabel}.plist`, content: withHeader('xml', body) };
}
