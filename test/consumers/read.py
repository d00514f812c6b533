"""Reads goneat-deploy's generated files the way Python consumers do, for the
tests (test/helpers/consumers.ts runs it): YAML with PyYAML's SafeLoader, the
loader docker-compose v1 reads compose files with (YAML 1.1: y, yes, on are
booleans, 010 is octal, 1:20 is base 60, "=" is the value tag), and property
lists with plistlib. Prints one JSON array: per file, its documents or the
error. Values JSON cannot hold (dates, a boolean as a mapping key, bytes) are
written as {"__py__": "<type>", "repr": "..."} so a comparison fails on them."""
import json
import plistlib
import sys

import yaml


def plain(v):
    if isinstance(v, dict):
        return {(k if isinstance(k, str) else "__py__:" + type(k).__name__ + ":" + repr(k)): plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if v is None or isinstance(v, (str, bool, int, float)):
        return v
    return {"__py__": type(v).__name__, "repr": repr(v)}


out = []
for path in sys.argv[1:]:
    entry = {"file": path}
    try:
        with open(path, "rb") as fh:
            if path.endswith(".plist"):
                entry["docs"] = [plain(plistlib.load(fh))]
            else:
                entry["docs"] = [plain(d) for d in yaml.load_all(fh, Loader=yaml.SafeLoader)]
    except Exception as err:  # noqa: BLE001 - every failure is a finding
        entry["error"] = type(err).__name__ + ": " + str(err)
    out.append(entry)
json.dump(out, sys.stdout)
