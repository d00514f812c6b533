/**
 * Issue 19's property, the fast half: for every user-controlled field that
 * reaches a generated file (test/helpers/hostile.ts FIELDS), hostile payloads
 * — a fixed corpus plus strings fast-check generates with a fixed seed — either
 * come out of every target exactly as written, read back by in-process
 * readers of each format, or are refused with exit 2 and a location.
 *
 * In-process readers: the `yaml` library as a YAML 1.1 reader and as a YAML
 * 1.2 reader (both must agree: the difference between them is what broke
 * docker-compose v1 and kubectl), the kubelet's $(VAR) expansion (a port,
 * test/helpers/kubelet.ts), libnih's tokenizer (a port, test/helpers/libnih.ts),
 * and the plist library's XML parser. The real consumers read the same files in
 * test/integration/hostile-consumers.test.ts.
 */
import plist from 'plist';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { composeEscape } from '../../src/render/yaml.js';
import { expected, FIELDS, payloads, run, SEED, seedNote, type Field } from '../helpers/hostile.js';
import { record } from '../helpers/results.js';
import { composeView, deploymentView, plistView, upstartView } from '../helpers/views.js';

/** Generated payloads per field on top of the corpus (CI); GONEAT_SOAK=1 runs many more. */
const GENERATED = process.env.GONEAT_SOAK === '1' ? 400 : 30;

const file = (files: Array<{ path: string; content: string }>, suffix: string) => files.find((f) => f.path.endsWith(suffix))?.content;

/** Both YAML versions read the same document. */
function readYaml(text: string): unknown {
  const v11 = YAML.parseAllDocuments(text, { version: '1.1' }).map((d) => d.toJS());
  const v12 = YAML.parseAllDocuments(text, { version: '1.2' }).map((d) => d.toJS());
  expect(v12, 'YAML 1.1 and 1.2 readers disagree').toEqual(v11);
  return v11[0];
}

describe('hostile values in every field: exactly what was written, or exit 2 (in-process readers)', () => {
  const counts: Record<string, { payloads: number; rendered: number; refused: number; checks: number }> = {};

  for (const field of FIELDS) {
    it(`${field.name}`, () => {
      const list = payloads(field, GENERATED);
      const c = (counts[field.name] = { payloads: list.length, rendered: 0, refused: 0, checks: 0 });
      list.forEach((payload, n) => {
        const note = seedNote(field, payload);
        const o = run(field, payload, n);
        if (o.kind === 'refused') {
          c.refused++;
          expect(o.exitCode, note).toBe(2);
          expect(o.message, note).not.toMatch(/internal error/);
          expect(o.message, note).toMatch(field.name === '--image' ? /^--image / : new RegExp(`^goneat-deploy\\.yaml:\\d+:\\d+: ${field.at.source}`));
          return;
        }
        c.rendered++;
        const exp = expected(o);
        // compose and swarm: both YAML versions, then compose's own "$$" reading.
        for (const suffix of ['compose.yaml', 'swarm/stack.yaml']) {
          const v = composeView(readYaml(file(o.files, suffix)!));
          expect(v.names, note).toEqual([exp.name]);
          expect(v.image, note).toBe(exp.image);
          expect(v.env, note).toEqual(exp.env);
          if (exp.healthCommand) expect(v.healthTest, note).toEqual(['CMD', ...exp.healthCommand]);
          expect(v.user, note).toBe(exp.user);
          c.checks += 2;
        }
        // Kubernetes: both YAML versions, then the kubelet's expansion of env values.
        const d = deploymentView(readYaml(file(o.files, 'k8s/deployment.yaml')!));
        expect({ ...d, memory: d.memory ?? undefined }, note).toEqual({
          name: exp.name,
          namespace: exp.namespace,
          image: exp.image,
          env: exp.env,
          portNames: exp.portNames,
          preStopExec: exp.preStopExec,
          healthPath: exp.healthPath,
          memory: exp.memory,
        });
        for (const f of o.files.filter((x) => x.path.startsWith('k8s/'))) readYaml(f.content);
        c.checks += 3;
        // launchd: the XML parser.
        const p = plistView(plist.parse(file(o.files, '.plist')!));
        expect(p, note).toEqual({ label: o.spec.host.launchdLabel, argv: [o.spec.host.binaryPath, ...o.spec.host.launchdArgs], env: exp.env, user: o.spec.host.user, workingDirectory: o.spec.host.launchdWorkingDirectory });
        c.checks++;
        // upstart: libnih's tokenizer.
        const u = upstartView(file(o.files, 'upstart/' + `${o.spec.name}.conf`)!);
        expect(u.description, note).toBe(`${o.spec.name}${exp.description ? `: ${exp.description}` : ''}`);
        expect(u.env, note).toEqual(exp.env);
        expect([u.setuid, u.chdir], note).toEqual([o.spec.host.account, o.spec.host.workingDirectory]);
        c.checks++;
        // compose escapes "$" in every value it interpolates (the view reverses it): the file holds no lone "$".
        expect(file(o.files, 'compose.yaml')!.includes(composeEscape(exp.image)), note).toBe(true);
      });
      expect(c.rendered + c.refused).toBe(list.length);
    });
  }

  it('records what ran (docs/reliability.md)', async () => {
    const fields = Object.keys(counts).length;
    const total = Object.values(counts).reduce((a, x) => ({ payloads: a.payloads + x.payloads, rendered: a.rendered + x.rendered, refused: a.refused + x.refused, checks: a.checks + x.checks }), { payloads: 0, rendered: 0, refused: 0, checks: 0 });
    console.log(`hostile (in-process, seed ${SEED}): ${total.payloads} payloads over ${fields} fields: ${total.rendered} rendered and read back, ${total.refused} refused with exit 2`);
    await record('hostile-unit', { seed: SEED, generatedPerField: GENERATED, fields, ...total, consumers: ['yaml 1.1', 'yaml 1.2', 'kubelet expansion (port)', 'plist (xmldom)', 'libnih tokenizer (port)'], perField: counts });
    expect(fields).toBe(FIELDS.length);
  });
});

export type { Field };
