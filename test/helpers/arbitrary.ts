/**
 * Configs a user could write, generated with fast-check from a mix of valid
 * and hostile values: shared by the property test (test/unit/property.test.ts)
 * and its systemd-analyze half (test/integration/systemd-analyze.test.ts).
 */
import fc from 'fast-check';

const hostile = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom('', ' ', '$HOME', '${X}', '$$', '%n', '%%', '"', "'", '\\', 'a\\', '<x>&', ']]>', '- a', 'key: v', '#c', '*a', '&a', '!tag', 'yes', 'no', 'on', '0755', '1e3', '1000:30', '\t', 'é', '🙂', ';', '`id`', '$(id)', 'a b'),
);
/** Mostly valid, sometimes hostile: enough configs get through to exercise the renderers. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, bad: fc.Arbitrary<U>) => fc.oneof({ arbitrary: valid, weight: 12 }, { arbitrary: bad, weight: 1 });
const duration = mostly(fc.constantFrom('0s', '1s', '2s', '5s', '10s', '1m30s', '3s'), fc.oneof(fc.constantFrom('0', '20', '5 s', '-1s', '500ms', '1.5s'), fc.integer({ min: -5, max: 100 }), hostile));
const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?$/);
const name = mostly(label, hostile);
const value = mostly(fc.oneof(hostile, fc.integer(), fc.boolean()), fc.constant('a\nb'));

export const config = fc.record(
  {
    name,
    description: mostly(fc.string({ maxLength: 40 }).filter((d) => !/[\x00-\x1f\x7f]/.test(d) && !d.endsWith('\\')), hostile),
    image: fc.record({ repository: mostly(fc.constantFrom('example/svc', 'registry.example:5000/a/b', 'svc'), hostile), tag: mostly(fc.constantFrom('1', 'latest', 'v1.2.3'), hostile) }, { requiredKeys: ['repository'] }),
    build: fc.constant({ binary: '/usr/bin/tini-static' }),
    args: fc.array(mostly(hostile.filter((a) => !/[\x00-\x08\x0a-\x1f\x7f]/.test(a)), hostile), { maxLength: 5 }),
    env: fc.dictionary(mostly(fc.constantFrom('A', 'LOG_LEVEL', 'X_1'), hostile), value.filter((v) => typeof v !== 'string' || !/[\x00-\x08\x0a-\x1f\x7f]/.test(v) || Math.random() < 0.05), { maxKeys: 4 }),
    ports: fc.uniqueArray(
      fc.record({ name: mostly(fc.constantFrom('http', 'admin', 'grpc'), name), port: mostly(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: -1, max: 70000 })), publish: mostly(fc.oneof(fc.integer({ min: 0, max: 65535 }), fc.constantFrom('127.0.0.1:8080', '0.0.0.0:0')), fc.constantFrom('x', 70000, '300.1.1.1:1')) }, { requiredKeys: ['name', 'port'] }),
      { maxLength: 3, selector: (p) => p.name },
    ),
    health: fc.record({ port: mostly(fc.integer({ min: 1, max: 65535 }), fc.constantFrom('http', 'admin', 0)), path: mostly(fc.constantFrom('/is_healthy/', '/', '/h?x=1'), hostile), // argv[0] mostly a file the scratch image holds (model/contents.ts executableProblem), else anything.
      command: fc.tuple(mostly(fc.constant('/sbin/tini'), fc.string({ minLength: 1 })), fc.array(mostly(fc.string({ minLength: 1 }).filter((a) => !/[\x00-\x08\x0a-\x1f\x7f]/.test(a)), hostile), { maxLength: 2 })).map(([a, rest]) => [a, ...rest]) }, { requiredKeys: ['port', 'path'] }),
    shutdown: fc.record({ signal: mostly(fc.constantFrom('SIGTERM', 'SIGINT'), fc.constantFrom('SIGHUP', 'SIGUSR2', 'SIGKILL', 'SIGFOO', 'TERM')), drain: duration, preStop: duration, slack: duration }, { requiredKeys: [] }),
    user: mostly(fc.constantFrom('65532:65532', '1000', 65532), fc.oneof(fc.constantFrom('0', 'root'), hostile)),
    replicas: mostly(fc.integer({ min: 1, max: 5 }), fc.integer({ min: -1, max: 0 })),
    resources: fc.record({ cpu: mostly(fc.constantFrom('500m', '1', '2.5'), fc.constant('x')), memory: mostly(fc.constantFrom('128Mi', '1Gi', '64M'), fc.constantFrom('3', 'lots')) }, { requiredKeys: [] }),
    kubernetes: fc.record({ goRuntimeEnv: fc.boolean(), preStopExec: mostly(fc.constant(undefined), fc.array(hostile, { minLength: 1, maxLength: 2 })) }, { requiredKeys: [] }),
    host: fc.record({ binaryPath: mostly(fc.constantFrom('/usr/local/bin/svc', '/opt/x'), hostile), user: mostly(fc.constantFrom('svc'), hostile) }, { requiredKeys: [] }),
  },
  { requiredKeys: ['name', 'image'] },
);

