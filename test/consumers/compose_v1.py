"""docker-compose v1's own loader (compose.config.config.load, what
`docker-compose up` and `config` run) over compose files merged in order, for
the tests (test/helpers/consumers.ts): prints the services as v1 holds them
after validation and interpolation, as JSON ({"services": {name: {...}}}).
Usage: compose_v1.py WORKDIR FILE..."""
import json
import sys

from compose.config import config
from compose.config.environment import Environment

workdir, files = sys.argv[1], sys.argv[2:]
details = config.find(workdir, files, Environment.from_env_file(workdir))
loaded = config.load(details)
out = {}
for s in loaded.services:
    out[s["name"]] = {k: s[k] for k in ("image", "environment", "healthcheck", "user") if k in s}
json.dump({"services": out}, sys.stdout, default=repr)
