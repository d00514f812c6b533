/**
 * Helm chart templates are Go templates that render to YAML, not YAML: a
 * chart's templates/ directory holds "templates that, when combined with
 * values, will generate valid Kubernetes manifest files", and Helm reserves
 * charts/, crds/ and templates/ (Helm docs, topics/charts.md "The Chart File
 * Structure"). Read as YAML, `{{ .Values.grace }}` is a flow map and `name:
 * {{ include ... }}` an object: every judgement would be about the template
 * syntax, not the manifest. So lint skips them and says so; crds/ holds plain
 * YAML and is linted. Subcharts (charts/<sub>/Chart.yaml) are charts too.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Splits file paths into those to lint and Helm chart templates: files under
 * `<dir>/templates/` (at any depth) where `<dir>/Chart.yaml` exists. Each
 * candidate directory is checked once.
 */
export async function splitHelmTemplates(files: string[]): Promise<{ files: string[]; templates: string[] }> {
  const isChart = new Map<string, Promise<boolean>>();
  const chart = (dir: string) => {
    let p = isChart.get(dir);
    if (!p) {
      p = stat(path.join(dir, 'Chart.yaml')).then((s) => s.isFile(), () => false);
      isChart.set(dir, p);
    }
    return p;
  };
  const template = async (f: string): Promise<boolean> => {
    const parts = path.resolve(f).split(path.sep);
    // Every `templates` directory among the file's ancestors, nearest first: a chart's templates may nest folders.
    for (let i = parts.length - 2; i > 0; i--) if (parts[i] === 'templates' && (await chart(parts.slice(0, i).join(path.sep) || path.sep))) return true;
    return false;
  };
  const flags = await Promise.all(files.map(template));
  return { files: files.filter((_, i) => !flags[i]), templates: files.filter((_, i) => flags[i]) };
}

/** The line lint's text output adds when it skipped templates. */
export function helmNote(count: number): string {
  return `${count} Helm chart template(s) skipped: Go templates, not YAML — lint what they render (helm template CHART > rendered.yaml, then goneat-deploy lint rendered.yaml)\n`;
}
