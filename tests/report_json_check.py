#!/usr/bin/env python3
"""report_json_check.py -- checks a convproof JSON report independently of
the C code that wrote it (used by tests/test_report.c).

Usage:  report_json_check.py SCHEMA [PATH EXPECTED]... < report.json

1. The input must be valid UTF-8 and strict JSON: no NaN or Infinity, no
   duplicate keys.
2. It must validate against SCHEMA (docs/report-schema.json): with the
   `jsonschema` module when it is importable, otherwise with the small
   validator below, which implements exactly the keywords the schema uses
   and refuses any other, so it cannot pass a schema it does not
   understand.  (Nothing is installed for this; the test says which one
   ran.)
3. Keys must come in the documented order, and summary must agree with the
   claims' outcomes.
4. Each PATH (dot-separated keys and list indices, e.g.
   claims.1.methods.0.reason) must hold EXPECTED: a string value is compared
   as is, any other value as its json.dumps text ("2", "null").

Exit status 0 when every check holds, 1 otherwise (the reason on stderr).
"""
import json
import re
import sys

ANNOTATIONS = {"$schema", "$id", "title", "description", "$comment"}
TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}

KEY_ORDER = {
    "report": ["schema_version", "tool_version", "seed", "shard", "summary",
               "claims"],
    "summary": ["passed", "tested", "failed", "undecided"],
    "claim": ["title", "kind", "file", "line", "statement", "error",
              "outcome", "seconds", "methods"],
    "method": ["method", "outcome", "strength", "shapes", "instances",
               "seconds", "evidence", "reason", "counterexample"],
    "counterexample": ["shape", "inputs", "show_line", "lhs", "rhs",
                       "differences", "failure", "first_term"],
    "input": ["name", "value"],
}
# Keys written only when they have a value (every other key is always
# there): a claim's input error.
OPTIONAL_KEYS = {"claim": {"error"}}


class CheckError(Exception):
    pass


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise CheckError(f"duplicate key among {keys}")
    return dict(pairs)


def reject_constant(name):
    raise CheckError(f"non-finite number {name}")


def subset_validate(value, schema, root, where="$"):
    """Validates against the JSON Schema keywords docs/report-schema.json
    uses, with their draft 2020-12 meaning (object keywords apply only to
    objects, and so on)."""
    for keyword in schema:
        if keyword not in ANNOTATIONS | {
                "$defs", "$ref", "type", "const", "enum", "required",
                "properties", "additionalProperties", "items", "minimum",
                "pattern"}:
            raise CheckError(f"subset validator: unknown keyword {keyword}")
    if "$ref" in schema:
        ref = schema["$ref"]
        if not ref.startswith("#/$defs/"):
            raise CheckError(f"subset validator: unsupported $ref {ref}")
        subset_validate(value, root["$defs"][ref[len("#/$defs/"):]], root,
                        where)
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) \
            else [schema["type"]]
        if not any(TYPES[t](value) for t in types):
            raise CheckError(f"{where}: {value!r} is not of type {types}")
    if "const" in schema and not (value == schema["const"] and
                                  type(value) is type(schema["const"])):
        raise CheckError(f"{where}: {value!r} is not {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        raise CheckError(f"{where}: {value!r} not in {schema['enum']}")
    if TYPES["number"](value) and "minimum" in schema \
            and value < schema["minimum"]:
        raise CheckError(f"{where}: {value} < {schema['minimum']}")
    if isinstance(value, str) and "pattern" in schema \
            and not re.search(schema["pattern"], value):
        raise CheckError(f"{where}: {value!r} does not match "
                         f"{schema['pattern']}")
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                raise CheckError(f"{where}: missing key {key}")
        properties = schema.get("properties", {})
        for key, item in value.items():
            if key in properties:
                subset_validate(item, properties[key], root, f"{where}.{key}")
            elif schema.get("additionalProperties", True) is False:
                raise CheckError(f"{where}: unexpected key {key}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            subset_validate(item, schema["items"], root, f"{where}[{index}]")


def validate(doc, schema):
    try:
        import jsonschema
    except ImportError:
        subset_validate(doc, schema, schema)
        return "the built-in subset validator (jsonschema not importable)"
    jsonschema.Draft202012Validator.check_schema(schema)
    try:
        jsonschema.Draft202012Validator(schema).validate(doc)
    except jsonschema.ValidationError as error:
        raise CheckError(f"schema: {error.message}") from None
    try:
        from importlib.metadata import version
        return f"jsonschema {version('jsonschema')}"
    except Exception:   # metadata missing: the version is only informative
        return "jsonschema"


def check_order(obj, kind, where):
    optional = OPTIONAL_KEYS.get(kind, set())
    expected = [k for k in KEY_ORDER[kind] if k not in optional or k in obj]
    if list(obj.keys()) != expected:
        raise CheckError(f"{where}: keys {list(obj.keys())}, "
                         f"expected {expected}")


def check_structure(doc):
    check_order(doc, "report", "$")
    check_order(doc["summary"], "summary", "$.summary")
    counts = {"passed": 0, "tested": 0, "failed": 0, "undecided": 0}
    for i, claim in enumerate(doc["claims"]):
        check_order(claim, "claim", f"$.claims[{i}]")
        outcome = claim["outcome"]
        counts["undecided" if outcome == "not_applicable" else outcome] += 1
        for j, method in enumerate(claim["methods"]):
            check_order(method, "method", f"$.claims[{i}].methods[{j}]")
            cx = method["counterexample"]
            if cx is not None:
                check_order(cx, "counterexample",
                            f"$.claims[{i}].methods[{j}].counterexample")
                for k, item in enumerate(cx["inputs"]):
                    check_order(item, "input", f"... inputs[{k}]")
    if counts != doc["summary"]:
        raise CheckError(f"summary {doc['summary']} but claims say {counts}")


def lookup(doc, path):
    value = doc
    for part in path.split("."):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def main(argv):
    if len(argv) < 2 or len(argv) % 2 != 0:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as stream:
        schema = json.load(stream)
    try:
        text = sys.stdin.buffer.read().decode("utf-8")   # strict: bad UTF-8 fails
        doc = json.loads(text, parse_constant=reject_constant,
                         object_pairs_hook=no_duplicates)
        validator = validate(doc, schema)
        check_structure(doc)
        for path, expected in zip(argv[2::2], argv[3::2]):
            value = lookup(doc, path)
            shown = value if isinstance(value, str) else json.dumps(value)
            if shown != expected:
                raise CheckError(f"{path} is {shown!r}, expected {expected!r}")
    except (CheckError, ValueError, KeyError, IndexError) as error:
        print(f"report_json_check: {error}", file=sys.stderr)
        return 1
    print(f"report_json_check: valid, schema checked with {validator}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
