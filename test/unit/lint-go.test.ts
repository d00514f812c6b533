/**
 * Go source lint on small packages: every SIGHUP subscription form (aliases,
 * dot-imports, Signal(1), constants, slices, NotifyContext, Notify with no
 * signals), signal.Ignore, self-daemonizing — and no finding on a clean handler.
 */
import { describe, expect, it } from 'vitest';
import { analyzeGo, goParser } from '../../src/lint/go.js';
import { lint } from '../../src/lint/lint.js';
import type { ServiceFacts } from '../../src/lint/model.js';

async function go(body: string, imports = '"os"\n\t"os/signal"\n\t"syscall"') {
  const src = `package main\n\nimport (\n\t${imports}\n)\n\n${body}\n`;
  return analyzeGo(await goParser(), src).map((f) => `${f.line}:${f.column} ${f.rule} ${f.level}`);
}

const MAIN = (stmts: string) => `func main() {\n\tc := make(chan os.Signal, 1)\n\t_ = c\n${stmts}\n}`;

describe('Go: subscribing to SIGHUP', () => {
  it('signal.Notify with syscall.SIGHUP, at the argument', async () => {
    expect(await go(MAIN('\tsignal.Notify(c, syscall.SIGTERM, syscall.SIGHUP)'))).toEqual(['12:36 sighup error']);
  });
  it('signal.NotifyContext with SIGHUP', async () => {
    expect(await go(MAIN('\tctx, stop := signal.NotifyContext(context.Background(), syscall.SIGHUP)\n\t_, _ = ctx, stop'), '"context"\n\t"os"\n\t"os/signal"\n\t"syscall"')).toEqual(['13:58 sighup error']);
  });
  it('through import aliases: sig "os/signal", sys "syscall", unix.SIGHUP', async () => {
    expect(await go(MAIN('\tsig.Notify(c, sys.SIGHUP)'), '"os"\n\tsig "os/signal"\n\tsys "syscall"')).toEqual(['12:16 sighup error']);
    expect(await go(MAIN('\tsignal.Notify(c, unix.SIGHUP)'), '"os"\n\t"os/signal"\n\t"golang.org/x/sys/unix"')).toEqual(['12:19 sighup error']);
  });
  it('through dot-imports', async () => {
    expect(await go(MAIN('\tNotify(c, SIGHUP)'), '"os"\n\t. "os/signal"\n\t. "syscall"')).toEqual(['12:12 sighup error']);
  });
  it('syscall.Signal(1), syscall.Signal(0x1), a constant, a slice spread', async () => {
    expect(await go(MAIN('\tsignal.Notify(c, syscall.Signal(1))'))).toEqual(['12:19 sighup error']);
    expect(await go(MAIN('\tsignal.Notify(c, syscall.Signal(0x1))'))).toEqual(['12:19 sighup error']);
    expect(await go(`const hangup = syscall.SIGHUP\n\n${MAIN('\tsignal.Notify(c, hangup)')}`)).toEqual(['14:19 sighup error']);
    expect(await go(`var stops = []os.Signal{syscall.SIGINT, syscall.SIGHUP}\n\n${MAIN('\tsignal.Notify(c, stops...)')}`)).toEqual(['14:19 sighup error']);
  });
  it('signal.Notify(c) with no signals relays every signal, SIGHUP included', async () => {
    expect(await go(MAIN('\tsignal.Notify(c)'))).toEqual(['12:2 sighup error']);
  });
  it('a clean handler (SIGINT/SIGTERM with NotifyContext, or os.Interrupt) has no finding', async () => {
    expect(await go('func main() {\n\tctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)\n\tdefer stop()\n\t<-ctx.Done()\n}', '"context"\n\t"os"\n\t"os/signal"\n\t"syscall"')).toEqual([]);
    expect(await go(MAIN('\tsignal.Notify(c, syscall.SIGINT, syscall.SIGTERM)\n\tsignal.Reset(syscall.SIGHUP)'))).toEqual([]);
  });
  it('a SIGHUP in a comment or string is not a subscription; another package\'s Notify is not os/signal', async () => {
    expect(await go(MAIN('\t// signal.Notify(c, syscall.SIGHUP)\n\t_ = "syscall.SIGHUP"\n\tlog.Notify(c, syscall.SIGHUP)'), '"log"\n\t"os"\n\t"syscall"')).toEqual([]);
  });
});

describe('Go: ignoring SIGHUP', () => {
  it('signal.Ignore(syscall.SIGHUP) is a warning; signal.Ignore() ignores the stop signal too (ignore-stop)', async () => {
    expect(await go(MAIN('\tsignal.Ignore(syscall.SIGHUP)'))).toEqual(['12:16 ignore warning']);
    expect(await go(MAIN('\tsignal.Ignore()'))).toEqual(['12:2 ignore-stop error']);
    expect(await go(MAIN('\tsignal.Ignore(syscall.SIGPIPE)'))).toEqual([]);
  });
});

describe('Go: ignoring a stop signal', () => {
  const sig = async (stmts: string, imports?: string) => {
    const src = `package main\n\nimport (\n\t${imports ?? '"os"\n\t"os/signal"\n\t"syscall"'}\n)\n\n${MAIN(stmts)}\n`;
    return analyzeGo(await goParser(), src).filter((f) => f.rule === 'ignore-stop').map((f) => `${f.line}:${f.column} ${f.signal}${f.notified ? ' notified' : ''}`);
  };
  it('every way to name the signal: syscall/unix, aliases, dot-imports, Signal(15), os.Interrupt, constants, slices', async () => {
    expect(await sig('\tsignal.Ignore(syscall.SIGTERM, syscall.SIGINT)')).toEqual(['12:16 SIGTERM', '12:33 SIGINT']);
    expect(await sig('\tsig.Ignore(sys.SIGTERM)', '"os"\n\tsig "os/signal"\n\tsys "syscall"')).toEqual(['12:13 SIGTERM']);
    expect(await sig('\tsignal.Ignore(unix.SIGTERM)', '"os"\n\t"os/signal"\n\t"golang.org/x/sys/unix"')).toEqual(['12:16 SIGTERM']);
    expect(await sig('\tIgnore(SIGTERM)', '"os"\n\t. "os/signal"\n\t. "syscall"')).toEqual(['12:9 SIGTERM']);
    expect(await sig('\tsignal.Ignore(syscall.Signal(15), os.Interrupt)')).toEqual(['12:16 SIGTERM', '12:36 SIGINT']);
    expect(await sig('\tconst term = syscall.SIGTERM\n\tstops := []os.Signal{term, syscall.SIGQUIT}\n\tsignal.Ignore(stops...)')).toEqual(['14:16 SIGTERM', '14:16 SIGQUIT']);
  });
  it('marks an Ignore whose signal the file also subscribes to (order decides); SIGPIPE/SIGHUP are not stop signals', async () => {
    expect(await sig('\tsignal.Ignore(syscall.SIGTERM)\n\tsignal.Notify(c, syscall.SIGTERM)')).toEqual(['12:16 SIGTERM notified']);
    expect(await sig('\tsignal.Ignore(syscall.SIGPIPE, syscall.SIGHUP)')).toEqual([]);
    expect(await sig('\t// signal.Ignore(syscall.SIGTERM)\n\tlog.Ignore(syscall.SIGTERM)')).toEqual([]);
  });
});

describe('GD021 through lint(): the configured stop signal decides', () => {
  const file = (stmts: string) => ({ path: 'svc/main.go', text: `package main\n\nimport (\n\t"os"\n\t"os/signal"\n\t"syscall"\n)\n\n${MAIN(stmts)}\n` });
  const facts = (stopSignal: string, dir = 'svc') => [{ name: 'svc', stopSignal, dir, origin: `${dir}/goneat-deploy.yaml`, goneat: true }];
  const gd021 = async (stmts: string, services: ServiceFacts[] = []) =>
    (await lint([file(stmts)], { services })).findings.filter((f) => f.ruleId === 'GD021').map((f) => `${f.line}:${f.column} ${f.level}`);
  it('SIGTERM without a config is an error (every runtime\'s default), with the fix in the message', async () => {
    expect(await gd021('\tsignal.Ignore(syscall.SIGTERM)')).toEqual(['12:16 error']);
    const [f] = (await lint([file('\tsignal.Ignore(syscall.SIGTERM)')])).findings;
    expect(f!.message).toMatch(/SIGKILLed when the stop timeout ends.*fix: remove the Ignore/);
  });
  it('SIGINT is an error only when it is the configured stop signal; SIGTERM is then a warning', async () => {
    expect(await gd021('\tsignal.Ignore(syscall.SIGINT)')).toEqual([]);
    expect(await gd021('\tsignal.Ignore(os.Interrupt)', facts('SIGINT'))).toEqual(['12:16 error']);
    expect(await gd021('\tsignal.Ignore(syscall.SIGTERM)', facts('SIGINT'))).toEqual(['12:16 warning']);
    expect(await gd021('\tsignal.Ignore(syscall.SIGINT)', facts('SIGTERM'))).toEqual([]);
    // A config in another directory says nothing about this file.
    expect(await gd021('\tsignal.Ignore(syscall.SIGINT)', facts('SIGINT', 'other'))).toEqual([]);
  });
  it('signal.Ignore() is an error; an Ignore beside a Notify of the same signal a warning', async () => {
    expect(await gd021('\tsignal.Ignore()')).toEqual(['12:2 error']);
    expect(await gd021('\tsignal.Ignore(syscall.SIGTERM)\n\tsignal.Notify(c, syscall.SIGTERM)')).toEqual(['12:16 warning']);
  });
});

describe('Go: self-daemonizing', () => {
  it('re-exec of itself in a new session (SysProcAttr{Setsid: true} or .Setsid = true) is an error', async () => {
    const reexec = 'func main() {\n\tcmd := exec.Command(os.Args[0])\n\tcmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}\n\t_ = cmd.Start()\n\tos.Exit(0)\n}';
    expect(await go(reexec, '"os"\n\t"os/exec"\n\t"syscall"')).toEqual(['11:41 daemonize error']);
    const assign = 'func main() {\n\tself, _ := os.Executable()\n\tcmd := exec.Command(self)\n\tcmd.SysProcAttr = &syscall.SysProcAttr{}\n\tcmd.SysProcAttr.Setsid = true\n}';
    expect(await go(assign, '"os"\n\t"os/exec"\n\t"syscall"')).toEqual(['13:2 daemonize error']);
  });
  it('a new session for another program is only a warning', async () => {
    expect(await go('func main() {\n\tcmd := exec.Command("/usr/bin/helper")\n\tcmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}\n}', '"os/exec"\n\t"syscall"')).toEqual(['10:41 daemonize warning']);
  });
  it('syscall.Setsid(), raw fork syscalls, daemon and hot-restart libraries', async () => {
    expect(await go('func main() {\n\t_, _ = syscall.Setsid()\n}', '"syscall"')).toEqual(['8:9 daemonize error']);
    expect(await go('func main() {\n\t_, _, _ = syscall.RawSyscall(syscall.SYS_FORK, 0, 0, 0)\n}', '"syscall"')).toEqual(['8:12 daemonize error']);
    expect(await go('func main() {\n\tctx := &daemon.Context{}\n\t_, _ = ctx.Reborn()\n}', '"github.com/sevlyar/go-daemon"')).toEqual(['4:2 daemonize error']);
    expect(await go('func main() {}', 'gh "github.com/cloudflare/tableflip"')).toEqual(['4:2 daemonize error']);
  });
});

describe('Go through lint()', () => {
  it('reports file:line:column with the fix in the message; _test.go files are not the service', async () => {
    const text = 'package main\n\nimport (\n\t"os"\n\t"os/signal"\n\t"syscall"\n)\n\nfunc main() {\n\tc := make(chan os.Signal, 1)\n\tsignal.Notify(c, syscall.SIGHUP)\n\t<-c\n}\n';
    const r = await lint([{ path: 'cmd/server/main.go', text }, { path: 'cmd/server/main_test.go', text }]);
    expect(r.findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.ruleId}`)).toEqual(['cmd/server/main.go:11:19 GD017']);
    expect(r.findings[0]!.message).toMatch(/fix: remove syscall\.SIGHUP/);
    expect(r.skipped).toEqual(['cmd/server/main_test.go']);
  });
});
