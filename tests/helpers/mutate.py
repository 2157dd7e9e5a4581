"""The fuzz tests' one way of damaging a report document."""

from __future__ import annotations

import json


def apply_mutations(doc: dict, mutations) -> dict:
    """A copy of `doc` with each (path, junk, delete) applied: the value at `path` replaced by `junk`, or removed
    when `delete` and it sits in a dict; paths that no longer exist after earlier mutations are skipped."""
    out = json.loads(json.dumps(doc))
    for path, junk, delete in mutations:
        parent = out
        try:
            for k in path[:-1]:
                parent = parent[k]
            if delete and isinstance(parent, dict):
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = junk
        except (KeyError, IndexError, TypeError):
            continue
    return out


def doc_paths(obj, items: int, prefix=()):
    """Every path into a JSON document (dict keys; the first `items` entries of each list): where to mutate."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield prefix + (k,)
            yield from doc_paths(v, items, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj[:items]):
            yield prefix + (i,)
            yield from doc_paths(v, items, prefix + (i,))
