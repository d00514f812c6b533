/**
 * Go source lint: parses Go with tree-sitter-go (its WebAssembly build, run by
 * web-tree-sitter — no native module, no Go toolchain needed) and finds what
 * goneat-deploy exists to prevent:
 * - subscribing to SIGHUP: signal.Notify / signal.NotifyContext with SIGHUP
 *   (syscall.SIGHUP, unix.SIGHUP, syscall.Signal(1), through import aliases,
 *   dot-imports and same-file constants, variables and `sigs...`), and
 *   signal.Notify(c) with no signals, which relays every signal (os/signal
 *   doc.go: "If no signals are provided, all incoming signals will be relayed");
 * - signal.Ignore(SIGHUP) inside the service;
 * - signal.Ignore of a possible stop signal (SIGTERM, SIGINT, SIGQUIT, SIGUSR1),
 *   or Ignore() of everything (os/signal: "If no signals are provided, all
 *   incoming signals will be ignored"): the stop signal then does nothing and
 *   the supervisor SIGKILLs at the end of the stop timeout (GD021 decides,
 *   knowing the service's configured stop signal);
 * - self-daemonizing: a new session (syscall.Setsid, SysProcAttr{Setsid: true})
 *   around a re-exec of itself, daemon libraries (sevlyar/go-daemon,
 *   VividCortex/godaemon), fork/exec hot-restart libraries, raw fork syscalls.
 * Positions are 1-based line:column of the offending expression.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Language, Parser, Query, type Node } from 'web-tree-sitter';
import { STOP_SIGNALS } from '../model/signals.js';
import { signalName } from './values.js';

export type GoRule = 'sighup' | 'ignore' | 'ignore-stop' | 'daemonize';

export interface GoFinding {
  rule: GoRule;
  line: number;
  column: number;
  message: string;
  level: 'error' | 'warning';
  /** 'ignore-stop': the signal ignored (a possible stop signal, "SIGTERM"), or "all" for signal.Ignore() with no signals. */
  signal?: string;
  /** 'ignore-stop': the same file also subscribes to it (Notify/NotifyContext), which re-enables it if it runs after the Ignore. */
  notified?: boolean;
}

export interface GoParser {
  parser: Parser;
  /** Same-file constants and variables, queried only when a signal argument is a name. */
  values: Query;
}

let parser: Promise<GoParser> | undefined;

const VALUES = `
(const_spec) @spec
(var_spec) @spec
(short_var_declaration) @short
`;

/**
 * Finds a WebAssembly file: beside the running module (the bundle in dist/,
 * where scripts/build.mjs copies both), else in node_modules (tests, tsx).
 */
function locate(file: string, pkgPath: string): string {
  const beside = fileURLToPath(new URL(`./${file}`, import.meta.url));
  if (existsSync(beside)) return beside;
  return createRequire(import.meta.url).resolve(pkgPath);
}

/** The Go parser, loaded once (≈ 10 ms). Rejects when the WebAssembly files cannot be found. */
export function goParser(): Promise<GoParser> {
  parser ??= (async () => {
    const runtime = locate('web-tree-sitter.wasm', 'web-tree-sitter/web-tree-sitter.wasm');
    await Parser.init({ locateFile: () => runtime });
    const go = await Language.load(locate('tree-sitter-go.wasm', 'tree-sitter-go/tree-sitter-go.wasm'));
    const p = new Parser();
    p.setLanguage(go);
    return { parser: p, values: new Query(go, VALUES) };
  })();
  return parser;
}

const SYS_PACKAGES = new Set(['syscall', 'golang.org/x/sys/unix']);
const DAEMON_PACKAGES: Record<string, string> = {
  'github.com/sevlyar/go-daemon': 'go-daemon re-executes the program in a new session and lets the parent exit: a daemonizing Go service',
  'github.com/VividCortex/godaemon': 'godaemon re-executes the program detached from its parent: a daemonizing Go service',
  'github.com/facebookgo/grace/gracehttp': 'facebookgo/grace restarts by fork/exec of itself, then the old process exits: the supervisor loses the process it started',
  'github.com/fvbock/endless': 'endless restarts by fork/exec of itself on SIGHUP, then the old process exits: the supervisor loses the process it started (and SIGHUP no longer means hangup)',
  'github.com/cloudflare/tableflip': 'tableflip upgrades by fork/exec of itself, then the old process exits: under a supervisor without a PID file the new process is lost',
};

interface Scope {
  signal: Set<string>;
  signalDot: boolean;
  sys: Set<string>;
  sysDot: boolean;
  os: Set<string>;
  /** Same-file constants and variables: name → value expression. */
  values: Map<string, Node>;
}

function named(n: Node | null): Node[] {
  return n ? n.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment') : [];
}

function stringValue(n: Node | null): string {
  return n ? n.text.replace(/^["`]|["`]$/g, '') : '';
}

/**
 * Whether a file can hold a finding at all: every pattern needs os/signal,
 * syscall, x/sys/unix or a daemon library imported. Files without any of
 * them are not parsed (most of a large module).
 */
export function mayMatter(text: string): boolean {
  if (Object.keys(DAEMON_PACKAGES).some((p) => text.includes(`"${p}"`))) return true;
  const imports = text.includes('"os/signal"') || text.includes('"syscall"') || text.includes('"golang.org/x/sys/unix"');
  return imports && /Notify|Ignore|Setsid|SYS_V?FORK|SYS_CLONE/.test(text);
}

/** Analyzes one Go file. Pure given the parser. */
export function analyzeGo(p: GoParser, text: string): GoFinding[] {
  if (!mayMatter(text)) return [];
  const tree = p.parser.parse(text);
  if (!tree) return [];
  try {
    return analyzeTree(p, tree.rootNode, text);
  } finally {
    tree.delete();
  }
}

function analyzeTree(p: GoParser, root: Node, text: string): GoFinding[] {
  const out: GoFinding[] = [];
  const scope: Scope = { signal: new Set(), signalDot: false, sys: new Set(), sysDot: false, os: new Set(), values: new Map() };
  const at = (n: Node) => ({ line: n.startPosition.row + 1, column: n.startPosition.column + 1 });
  const imports: Array<{ path: string; node: Node }> = [];

  // The nodes that matter. Crossing from JavaScript into the WebAssembly tree costs more than parsing, so the
  // file is not walked: imports are the root's first children, and every call or field that can matter contains
  // one of a few names — found in the text, then looked up as nodes (a name inside a comment or a string is
  // a comment or string node, and is dropped).
  const calls: Node[] = [];
  const literals: Node[] = [];
  const assigns: Node[] = [];
  for (const decl of root.namedChildren) {
    if (!decl || decl.type !== 'import_declaration') continue;
    for (const c of decl.namedChildren) {
      const specs = c?.type === 'import_spec_list' ? named(c) : c ? [c] : [];
      for (const n of specs) {
        if (n.type !== 'import_spec') continue;
        const pathStr = stringValue(n.childForFieldName('path'));
        const name = n.childForFieldName('name');
        const local = name ? name.text : pathStr.split('/').pop()!;
        imports.push({ path: pathStr, node: n });
        const dot = name?.type === 'dot';
        if (pathStr === 'os/signal') dot ? (scope.signalDot = true) : scope.signal.add(local);
        else if (SYS_PACKAGES.has(pathStr)) dot ? (scope.sysDot = true) : scope.sys.add(local);
        else if (pathStr === 'os' && !dot) scope.os.add(local);
      }
    }
  }
  const seen = new Set<number>();
  const keep = (list: Node[], n: Node | null) => {
    if (n && !seen.has(n.id)) {
      seen.add(n.id);
      list.push(n);
    }
  };
  for (const m of text.matchAll(/\b(Notify|NotifyContext|Ignore|Setsid|RawSyscall6?|Syscall6?)\b/g)) {
    const leaf = root.descendantForIndex(m.index!);
    if (!leaf || (leaf.type !== 'identifier' && leaf.type !== 'field_identifier')) continue;
    const parent = leaf.parent;
    if (!parent) continue;
    if (parent.type === 'call_expression') keep(calls, parent);
    else if (parent.type === 'selector_expression') {
      const gp = parent.parent;
      if (gp?.type === 'call_expression' && gp.childForFieldName('function')?.id === parent.id) keep(calls, gp);
      else if (m[1] === 'Setsid' && gp?.type === 'expression_list' && gp.parent?.type === 'assignment_statement') keep(assigns, gp.parent);
    } else if (m[1] === 'Setsid' && parent.type === 'literal_element') {
      const lit = parent.parent?.parent?.parent;
      if (lit?.type === 'composite_literal') keep(literals, lit);
    }
  }
  // Same-file constants and variables: name → value expression, read only when a signal argument is a name.
  let valuesRead = false;
  const readValues = () => {
    if (valuesRead) return;
    valuesRead = true;
    for (const c of p.values.captures(root)) {
      const n = c.node;
      if (c.name === 'spec') {
        const names = n.childrenForFieldName('name').filter((x): x is Node => x !== null);
        const values = named(n.childForFieldName('value'));
        names.forEach((nm, i) => values[i] && scope.values.set(nm.text, values[i]!));
      } else {
        const l = named(n.childForFieldName('left'));
        const r = named(n.childForFieldName('right'));
        l.forEach((nm, i) => r[i] && nm.type === 'identifier' && scope.values.set(nm.text, r[i]!));
      }
    }
  };

  /** `pkg.Name` where pkg is one of `pkgs`, or `Name` under a dot-import. */
  const ref = (n: Node | null, pkgs: Set<string>, dot: boolean): string | undefined => {
    if (!n) return undefined;
    if (n.type === 'selector_expression') {
      const op = n.childForFieldName('operand');
      if (op?.type === 'identifier' && pkgs.has(op.text)) return n.childForFieldName('field')?.text;
    } else if (n.type === 'identifier' && dot) return n.text;
    return undefined;
  };

  /** Signals an expression denotes: SIGHUP, Signal(1), os.Interrupt, constants, slices, spreads. */
  const signals = (n: Node | null, depth = 0): string[] => {
    if (!n || depth > 8) return [];
    switch (n.type) {
      case 'parenthesized_expression':
      case 'variadic_argument':
      case 'literal_element':
        return named(n).flatMap((c) => signals(c, depth + 1));
      case 'literal_value':
        return named(n).flatMap((c) => signals(c, depth + 1));
      case 'composite_literal':
        return signals(n.childForFieldName('body'), depth + 1);
      case 'selector_expression': {
        const s = ref(n, scope.sys, false);
        if (s && /^SIG[A-Z0-9]+$/.test(s)) return [s];
        const o = ref(n, scope.os, false);
        if (o === 'Interrupt') return ['SIGINT'];
        if (o === 'Kill') return ['SIGKILL'];
        return [];
      }
      case 'identifier': {
        if (scope.sysDot && /^SIG[A-Z0-9]+$/.test(n.text)) return [n.text];
        readValues();
        const v = scope.values.get(n.text);
        return v && v !== n ? signals(v, depth + 1) : [];
      }
      case 'call_expression': {
        const fn = n.childForFieldName('function');
        if (ref(fn, scope.sys, scope.sysDot) === 'Signal') {
          const arg = named(n.childForFieldName('arguments'))[0];
          if (arg?.type === 'int_literal') {
            const name = signalName(Number(arg.text.replace(/_/g, '')));
            return name ? [name] : [];
          }
          return signals(arg ?? null, depth + 1);
        }
        return [];
      }
      default:
        return [];
    }
  };

  // Signals the file subscribes to: Go's Ignore "undoes the effect of any prior calls to Notify", and a later Notify
  // re-enables a signal (os/signal signal.go), so an Ignore beside a Notify of the same signal depends on their order.
  const notified = new Set<string>();
  for (const call of calls) {
    const f = ref(call.childForFieldName('function'), scope.signal, scope.signalDot);
    if (f !== 'Notify' && f !== 'NotifyContext') continue;
    const sigArgs = named(call.childForFieldName('arguments')).slice(1);
    if (!sigArgs.length) notified.add('all');
    for (const a of sigArgs) for (const sig of signals(a)) notified.add(sig);
  }
  const stopSignals = new Set<string>(STOP_SIGNALS);

  // Pass 2: calls.
  for (const call of calls) {
    const fn = call.childForFieldName('function');
    const args = named(call.childForFieldName('arguments'));
    const sigFn = ref(fn, scope.signal, scope.signalDot);
    if (sigFn === 'Notify' || sigFn === 'NotifyContext') {
      const what = `signal.${sigFn}`;
      const sigArgs = args.slice(1);
      if (!sigArgs.length) {
        out.push({
          rule: 'sighup',
          level: 'error',
          ...at(call),
          message: `${what} with no signals relays every signal, SIGHUP included (os/signal): it undoes the SIGHUP that nohup ignores, so a closed terminal stops the service; fix: list the signals you handle, e.g. ${what}(${sigFn === 'Notify' ? 'c' : 'ctx'}, syscall.SIGINT, syscall.SIGTERM)`,
        });
        continue;
      }
      for (const a of sigArgs) {
        if (signals(a).includes('SIGHUP')) {
          out.push({
            rule: 'sighup',
            level: 'error',
            ...at(a),
            message: `${what} subscribes to SIGHUP (${a.text}): a subscribed SIGHUP is no longer ignored under nohup, and one "terminal hung up" stops the service — the GoNeat nohup bug; fix: remove ${a.text} and keep Go's default for SIGHUP (stop with SIGTERM/SIGINT; a supervisor gives the service no terminal)`,
          });
        }
      }
    } else if (sigFn === 'Ignore') {
      if (!args.length) out.push({ rule: 'ignore-stop', level: 'error', signal: 'all', ...(notified.size ? { notified: true } : {}), ...at(call), message: `${fn!.text}() with no signals ignores every signal` });
      for (const a of args) {
        const sigs = signals(a);
        if (sigs.includes('SIGHUP')) out.push({ rule: 'ignore', level: 'warning', ...at(a), message: `signal.Ignore(${a.text}) inside the service: leave SIGHUP at Go's default — whether a hangup is ignored is the operator's choice (nohup), and under a supervisor no terminal can send one; fix: remove the call` });
        for (const sig of new Set(sigs)) {
          if (stopSignals.has(sig)) out.push({ rule: 'ignore-stop', level: 'error', signal: sig, ...(notified.has(sig) || notified.has('all') ? { notified: true } : {}), ...at(a), message: `${fn!.text}(${a.text}) ignores ${sig}` });
        }
      }
    } else {
      const sysFn = ref(fn, scope.sys, scope.sysDot);
      if (sysFn === 'Setsid') {
        out.push({ rule: 'daemonize', level: 'error', ...at(call), message: `${fn!.text}() detaches the process from its session: a service that daemonizes itself fights its supervisor (which then loses the process it started); fix: stay in the foreground and let the runtime detach it (docker compose up -d, systemd, Kubernetes)` });
      } else if ((sysFn === 'RawSyscall' || sysFn === 'Syscall' || sysFn === 'RawSyscall6' || sysFn === 'Syscall6') && args[0]) {
        const trap = ref(args[0], scope.sys, scope.sysDot);
        if (trap === 'SYS_FORK' || trap === 'SYS_VFORK' || trap === 'SYS_CLONE') {
          out.push({ rule: 'daemonize', level: 'error', ...at(call), message: `${fn!.text}(${args[0].text}, ...) forks the Go process: fork(2) copies only the calling thread of a multi-threaded program (locks held by the others stay locked forever); fix: do not fork — run in the foreground under a supervisor` });
        }
      }
    }
  }

  // Re-exec in a new session: SysProcAttr{Setsid: true} or attr.Setsid = true.
  const reexec = /\bos\.Args\[0\]|\bos\.Executable\(|\/proc\/self\/exe/.test(text);
  const setsidFinding = (n: Node) =>
    out.push({
      rule: 'daemonize',
      level: reexec ? 'error' : 'warning',
      ...at(n),
      message: reexec
        ? 'starts a copy of itself (os.Args[0]/os.Executable) in a new session (Setsid): self-daemonizing — the supervisor loses the process it started and cannot stop or restart it; fix: remove the re-exec and run in the foreground (the runtime detaches it)'
        : 'starts a process in a new session (Setsid): if this re-executes the service itself, it is self-daemonizing, which a supervisor cannot follow; fix: run the service in the foreground',
    });
  for (const lit of literals) {
    const type = lit.childForFieldName('type');
    const typeName = type?.type === 'qualified_type' && scope.sys.has(type.childForFieldName('package')?.text ?? '') ? type.childForFieldName('name')?.text : type?.type === 'type_identifier' && scope.sysDot ? type.text : undefined;
    if (typeName !== 'SysProcAttr') continue;
    for (const el of named(lit.childForFieldName('body'))) {
      if (el.type !== 'keyed_element') continue;
      const [k, v] = named(el);
      if (k?.text === 'Setsid' && v?.text === 'true') setsidFinding(el);
    }
  }
  for (const a of assigns) {
    const l = named(a.childForFieldName('left'));
    const r = named(a.childForFieldName('right'));
    l.forEach((x, i) => {
      if (x.type === 'selector_expression' && x.childForFieldName('field')?.text === 'Setsid' && r[i]?.text === 'true') setsidFinding(x);
    });
  }
  for (const imp of imports) {
    const msg = DAEMON_PACKAGES[imp.path];
    if (msg) out.push({ rule: 'daemonize', level: 'error', ...at(imp.node), message: `imports ${imp.path}: ${msg}; fix: run in the foreground under a supervisor and replace hot restarts with rolling updates` });
  }
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}
