#!/usr/bin/env bash
# The quickstart's main job: build the bundled example with goneat-deploy and
# run it detached with compose, then show that it is healthy.
set -euo pipefail
cd "$(dirname "$0")/.."
GONEAT_ENV_MINIMAL=1 scripts/ensure-env.sh

cli() { node bin/goneat-deploy.js "$@"; }
# Compose v2 (`docker compose`, installed by ensure-env.sh), else v1 (`docker-compose`): the CLI's order.
if docker compose version >/dev/null 2>&1; then compose=(docker compose); else compose=(docker-compose); fi
echo "› compose: ${compose[*]} $("${compose[@]}" version --short)"

echo "› goneat-deploy build -C examples/echo"
image=$(cli build -C examples/echo)
echo "  built $image: entrypoint $(docker image inspect "$image" --format '{{json .Config.Entrypoint}}'), user $(docker image inspect "$image" --format '{{.Config.User}}'), stop signal $(docker image inspect "$image" --format '{{.Config.StopSignal}}')"

echo "› goneat-deploy generate compose -C examples/echo -o compose.yaml --check (the committed file is what the tool generates)"
cli generate compose -C examples/echo -o compose.yaml --check >/dev/null

echo "› ${compose[*]} -p goneat-echo -f compose.yaml up -d"
"${compose[@]}" -p goneat-echo -f compose.yaml up -d

status() { node -e 'fetch(process.argv[1]).then((r) => console.log(r.status), () => console.log(0))' "$1"; }
for _ in $(seq 1 30); do
  code=$(status http://127.0.0.1:9090/is_healthy/)
  [ "$code" = "200" ] && break
  sleep 0.5
done
cid=$("${compose[@]}" -p goneat-echo -f compose.yaml ps -q echo)
echo "› docker top (tini is PID 1, the service is its child, no TTY):"
docker top "$cid" -eo pid,ppid,user,tty,args
echo "› GET http://127.0.0.1:9090/is_healthy/ → $code"
[ "$code" = "200" ] || { echo "the example did not become healthy" >&2; exit 1; }
echo
echo "Running detached. Stop it gracefully with: ${compose[*]} -p goneat-echo -f compose.yaml down"
