/**
 * The kubelet expands `$(VAR)` in a container's env values, command and args
 * (and in exec probes' commands) before the runtime sees them. Its rules
 * (kubernetes third_party/forked/golang/expansion/expand.go, commit fde22c3f):
 * `$$` becomes `$`; `$(NAME)` becomes NAME's value when NAME is defined earlier
 * in the env list (or is a service variable), and stays as written otherwise;
 * any other `$` is kept. Callers: pkg/kubelet/kubelet_pods.go
 * makeEnvironmentVariables (env values), pkg/kubelet/container/helpers.go
 * ExpandContainerCommandAndArgs (command, args) and
 * ExpandContainerCommandOnlyStatic (exec probes). Lifecycle hooks are not
 * expanded (pkg/kubelet/lifecycle/handlers.go runs handler.Exec.Command as
 * written), so a preStop exec command must not go through this. Pure.
 */

/**
 * A value the kubelet hands to the container exactly as `value`: every `$` is
 * doubled, so a user's "$(A_SECRET)" stays that text instead of becoming
 * another variable's value, and "a$$b" stays "a$$b".
 */
export function kubeletEscape(value: string): string {
  return value.replace(/\$/g, '$$$$');
}
