// The "Hostile input" section of docs/reliability.md (issue 19), from the figures the property tests recorded in
// .tmp/reliability/hostile-unit.json (test/unit/hostile-property.test.ts) and hostile-integration.json
// (test/integration/hostile-consumers.test.ts). scripts/reliability-report.mjs prints it with the rest;
// `node scripts/reliability-hostile.mjs` prints it alone (to refresh only this section).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const n = (x) => x.toLocaleString('en-US');

/** The kinds of shared/adversarial/README.md and the tests of each (besides the property tests' counts). */
const KIND_TESTS = [
  ['yaml', 'test/cli/adversarial.test.ts (008, 012); test/unit/hostile-property.test.ts; test/integration/hostile-consumers.test.ts'],
  ['kubelet', 'test/cli/adversarial.test.ts (015); the property tests (kubelet expansion port, compose v1/v2 interpolation, systemd exec-time expansion)'],
  ['unicode', 'test/cli/adversarial.test.ts (002, 064); the property tests'],
  ['length', 'test/cli/adversarial.test.ts (005, at the exact limits); the property tests'],
  ['image', 'test/cli/adversarial.test.ts (035); the property tests (--image)'],
  ['path', 'test/cli/adversarial.test.ts (030); the property tests (host.* paths)'],
];
const FOLDER_TESTS = [
  ['trpc_go.yaml trusted (037)', 'test/cli/adversarial.test.ts'],
  ['build runs arbitrary programs (043); ELF checks (112, 115); checks that need no engine first (123)', 'test/cli/build-input.test.ts'],
  ['FIFOs and endless devices (047)', 'test/integration/adversarial.test.ts: a FIFO and /dev/zero as config and lint input'],
  ['super-linear lint (100)', 'test/integration/adversarial.test.ts (SIGTERM/SIGINT end a busy lint); `npm run bench` section 9 (1 MB Dockerfiles, 10,000 compose services)'],
  ['hand edits lost (072)', 'test/cli/adversarial.test.ts; test/unit/writer.test.ts'],
  ['--force over special files (080); a set of files not atomic (074)', 'test/integration/adversarial.test.ts (a device, a link to one, a read-only mount); test/unit/writer.test.ts'],
  ['signals during generate (086), and every command', 'test/integration/adversarial.test.ts (generate -r, lint, init on a pty); test/e2e/interrupts.test.ts (build, generate)'],
  ['silent acceptance (090, 062)', 'test/cli/adversarial.test.ts'],
];

export function hostileSection(r) {
  const unit = r['hostile-unit'];
  const real = r['hostile-integration'];
  if (!unit || !real) return '';
  const consumers = Object.entries(real.consumers);
  return `
## Hostile input (issue 19)

Hostile values (a fixed corpus of what each consumer's syntax treats specially, plus strings fast-check generates,
seed ${real.seed}) in every user field that reaches a generated file, each rendered as \`generate all\` renders it and read
back: the consumer must see exactly the user's value, or the CLI must have refused it with exit 2 and its location.

| run | fields | payloads | refused (exit 2) | consumers | reads |
| --- | ---: | ---: | ---: | ---: | ---: |
| in-process readers (yaml as a 1.1 and a 1.2 reader, kubelet expansion port, plist parser, libnih tokenizer port): test/unit/hostile-property.test.ts, ${unit.generatedPerField} generated per field | ${unit.fields} | ${n(unit.payloads)} | ${n(unit.refused)} | ${unit.consumers.length} | ${n(unit.checks)} |
| the real consumers: test/integration/hostile-consumers.test.ts, ${real.generatedPerField} generated per field | ${real.fields} | ${n(real.payloads)} | ${n(real.refused)} | ${consumers.length} | ${n(real.reads)} |

The real consumers, and how many outputs each read (a field's outputs go to the consumers of the files its value
reaches):

| consumer | outputs read |
| --- | ---: |
${consumers.map(([c, k]) => `| ${c} | ${n(k)} |`).join('\n')}

Per kind of \`shared/adversarial/README.md\` (a payload can be of several kinds): the payloads of that kind in the real-consumer
run, the fields they went into, how many were refused, and the reads (rendered payloads × the consumers of their field).

| kind | payloads (in fields) | refused | reads | tests |
| --- | --- | ---: | ---: | --- |
${KIND_TESTS.map(([k, tests]) => {
  const x = real.kinds?.[k];
  return x ? `| ${x.kind} | ${n(x.payloads)} (${x.fields}) | ${n(x.refused)} | ${n(x.reads)} | ${tests} |` : '';
}).filter(Boolean).join('\n')}
${FOLDER_TESTS.map(([k, tests]) => `| ${k} | (folder tests, not property runs) | | | ${tests} |`).join('\n')}

Every folder of \`shared/adversarial/\` is a test (test/fixtures/adversarial/; a test fails when a folder has none).
Measured ${real.at.slice(0, 10)}. Wall time of each step of the real-consumer run (the consumers run side by side on 2 shared
cores): ${Object.entries(real.timingsMs ?? {}).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ')}.
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = new URL('../.tmp/reliability/', import.meta.url);
  const read = (k) => JSON.parse(readFileSync(new URL(`${k}.json`, dir), 'utf8'));
  process.stdout.write(hostileSection({ 'hostile-unit': read('hostile-unit'), 'hostile-integration': read('hostile-integration') }));
}
