/**
 * YAML lint reads is the user's input: the YAML library's own warnings never
 * reach stderr (process.emitWarning), whatever the file holds.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lint } from '../../src/lint/lint.js';
import { YamlSource } from '../../src/model/source.js';

// A Helm template read as YAML: `{{ .Values.grace }}` is a flow map used as a key.
const TEMPLATE = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include "x.fullname" . }}\nspec:\n  template:\n    spec:\n      terminationGracePeriodSeconds: {{ .Values.grace }}\n      containers:\n        - name: app\n          image: "{{ .Values.image }}"\n';

describe('YAML library warnings', () => {
  afterEach(() => vi.restoreAllMocks());

  it('a collection used as a key (a Go template read as YAML) emits no process warning, in lint and in config loading', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    await lint([{ path: 'deployment.yaml', text: TEMPLATE }, { path: 'compose.yaml', text: 'services:\n  a:\n    {{ x }}: 1\n    image: a\n' }]);
    YamlSource.parse('goneat-deploy.yaml', 'name: {{ .Values.name }}\n').source.toJS();
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([]);
  });
});
