/** Every lint rule, in ID order. IDs are stable: never reuse or renumber one. */
import type { Rule } from '../rule.js';
import { shellForm } from './gd001-shell-form.js';
import { noInit } from './gd002-no-init.js';
import { doubleInit } from './gd003-double-init.js';
import { stopSignal } from './gd004-stop-signal.js';
import { stopTimeout } from './gd005-stop-timeout.js';
import { preStopGrace } from './gd006-prestop.js';
import { terminal } from './gd007-terminal.js';
import { user } from './gd008-user.js';
import { daemonizing } from './gd009-daemonizing.js';
import { killMode } from './gd010-kill-mode.js';
import { sighup } from './gd011-sighup.js';
import { upstartKillTimeout } from './gd012-upstart-kill-timeout.js';
import { durationNumber } from './gd013-duration-number.js';
import { stopSignalPreempted } from './gd014-stop-signal-preempted.js';
import { reloadEndsService } from './gd015-reload-ends-service.js';
import { unparsableValue } from './gd016-unparsable-value.js';
import { goSighup } from './gd017-go-sighup.js';
import { goIgnoreSighup } from './gd018-go-ignore-sighup.js';
import { goDaemonize } from './gd019-go-daemonize.js';
import { trpcConfig } from './gd020-trpc-config.js';
import { goIgnoreStopSignal } from './gd021-go-ignore-stop-signal.js';
import { ignoreComment } from './gd022-ignore-comment.js';

export const RULES: Rule[] = [
  shellForm, noInit, doubleInit, stopSignal, stopTimeout, preStopGrace, terminal, user, daemonizing, killMode, sighup, upstartKillTimeout, durationNumber,
  stopSignalPreempted, reloadEndsService, unparsableValue, goSighup, goIgnoreSighup, goDaemonize, trpcConfig, goIgnoreStopSignal, ignoreComment,
];
