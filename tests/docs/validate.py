#!/usr/bin/python3
"""Validates JSON against the project's documents: docs/schemas/payload.json
(what connectors deliver) and the response schemas of docs/openapi.yaml
(what the partner API answers). Debian's python3-jsonschema and
python3-yaml. Used by tests/docs/schemas.sh and the integration test
tests/integration/openapi.sh.

  validate.py check ROOT
      every schema is a valid Draft 2020-12 schema (check_schema), the
      OpenAPI component schemas included
  validate.py payload ROOT KIND FILE
      each JSON line of FILE (a webhook receiver record's "body", or the
      payload itself) is a payload, and one of KIND ($defs of payload.json)
  validate.py response ROOT METHOD PATH STATUS FILE
      FILE's JSON is the response the OpenAPI document declares for
      METHOD PATH (a template such as /v1/tasks/{id}) and STATUS
Exit status 1 with the validation errors on stderr when anything fails.
"""

import json
import os
import sys

import jsonschema
import yaml

V = jsonschema.Draft202012Validator


def load_payload_schema(root):
    with open(os.path.join(root, "docs", "schemas", "payload.json")) as f:
        return json.load(f)


def load_openapi(root):
    with open(os.path.join(root, "docs", "openapi.yaml")) as f:
        return yaml.safe_load(f)


def errors(schema, instance):
    return sorted(V(schema).iter_errors(instance), key=lambda e: list(e.path))


def payload_errors(root, kind, payload):
    """The reasons payload is not a delivery of kind KIND ([] when it is)."""
    schema = load_payload_schema(root)
    # the kind's own errors first: they say which member is wrong, where the
    # top level's anyOf would only say that no kind matched
    found = errors(dict(schema, **{"$ref": "#/$defs/" + kind}), payload)
    if not found:
        found = errors(schema, payload)
    return ["%s: %s" % ("/".join(map(str, e.path)) or "(top)", e.message) for e in found]


def deref(doc, obj):
    while isinstance(obj, dict) and "$ref" in obj:
        node = doc
        for part in obj["$ref"].lstrip("#/").split("/"):
            node = node[part]
        obj = node
    return obj


def response_schema(doc, method, path, status):
    item = doc["paths"][path]
    if method.lower() not in item and str(status) == "405":
        # a method the path does not have: its 405 is declared on the others
        method = next(m for m in item if m != "parameters")
    op = item[method.lower()]
    resp = deref(doc, op["responses"][str(status)])
    schema = resp["content"]["application/json"]["schema"]
    # the document's components stay reachable from the schema's references
    return {"components": doc["components"], "allOf": [schema]}


def response_errors(root, method, path, status, body):
    doc = load_openapi(root)
    try:
        schema = response_schema(doc, method, path, status)
    except KeyError as e:
        return ["%s %s declares no JSON response %s (%s)" % (method, path, status, e)]
    return ["%s: %s" % ("/".join(map(str, e.path)) or "(top)", e.message)
            for e in errors(schema, body)]


def check(root):
    problems = []
    schema = load_payload_schema(root)
    try:
        V.check_schema(schema)
    except jsonschema.SchemaError as e:
        problems.append("payload.json: %s" % e.message)
    doc = load_openapi(root)
    for name, s in doc["components"]["schemas"].items():
        try:
            V.check_schema(s)
        except jsonschema.SchemaError as e:
            problems.append("openapi.yaml components/schemas/%s: %s" % (name, e.message))
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            for status, resp in op["responses"].items():
                if "application/json" not in deref(doc, resp).get("content", {"application/json": 0}):
                    continue  # declared as another media type (413's HTML page)
                try:
                    response_schema(doc, method, path, status)
                except KeyError:
                    problems.append("%s %s %s: no JSON schema" % (method, path, status))
    return problems


def main(argv):
    what, root = argv[1], argv[2]
    if what == "check":
        problems = check(root)
    elif what == "payload":
        kind, name = argv[3], argv[4]
        problems = []
        with open(name) as f:
            for n, line in enumerate(f, 1):
                rec = json.loads(line)
                payload = rec["body"] if "body" in rec and "signature_ok" in rec else rec
                problems += ["line %d: %s" % (n, p) for p in payload_errors(root, kind, payload)]
    elif what == "response":
        method, path, status, name = argv[3:7]
        with open(name) as f:
            body = json.load(f)
        problems = response_errors(root, method, path, status, body)
    else:
        sys.exit("usage: validate.py check|payload|response ROOT ...")
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
