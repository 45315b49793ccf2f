#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# Validate bpflp -j documents against $defs/DEF of the bpflp output schema
# (draft 2020-12), and against the schema as a whole.
#   check_schema.py SCHEMA DEF < DOC    one document read from stdin
#   check_schema.py SCHEMA --dir DIR    every DIR/N.DEF file (N.label names
#                                       it), in N's order: what
#                                       selftests/lib.sh's schema_expect saved
# Exit 0 if all are valid, 1 with every problem listed on stderr, 4 without
# python3-jsonschema. The batch form exists because python3 with jsonschema
# takes ~2.5 s to start in the TCG guest: one start per test, not per document.
import json
import os
import sys

try:
    import jsonschema
except ImportError:
    print("no python3-jsonschema (selftests/vm/deps.sh installs it)", file=sys.stderr)
    sys.exit(4)


def problems(schema, whole, name, doc):
    part = {k: v for k, v in schema.items() if k != "oneOf"}
    part["$ref"] = "#/$defs/" + name
    errors = list(jsonschema.Draft202012Validator(part).iter_errors(doc))
    if not errors:
        errors = list(whole.iter_errors(doc))
    return [f"{name}: {'/'.join(map(str, e.absolute_path)) or '(document)'}: {e.message}"
            for e in errors]


def saved_documents(folder):
    """(label, def, text) of each N.DEF file, N ascending."""
    found = []
    for entry in os.listdir(folder):
        number, dot, name = entry.partition(".")
        if dot and number.isdigit() and name != "label":
            found.append((int(number), name, entry))
    for number, name, entry in sorted(found):
        label_path = os.path.join(folder, f"{number}.label")
        label = open(label_path).read().strip() if os.path.exists(label_path) else entry
        yield label, name, open(os.path.join(folder, entry)).read()


def main():
    schema_path = sys.argv[1]
    with open(schema_path) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    whole = jsonschema.Draft202012Validator(schema)
    if sys.argv[2] != "--dir":
        errors = problems(schema, whole, sys.argv[2], json.load(sys.stdin))
        for line in errors:
            print(line, file=sys.stderr)
        return 1 if errors else 0
    bad = valid = 0
    for label, name, text in saved_documents(sys.argv[3]):
        try:
            errors = problems(schema, whole, name, json.loads(text))
        except json.JSONDecodeError as e:
            errors = [f"{name}: not JSON: {e}"]
        if errors:
            bad += 1
            print(f"{label}: not a valid '{name}' document: {text.strip()}", file=sys.stderr)
            for line in errors:
                print(f"  {line}", file=sys.stderr)
        else:
            valid += 1
    print(f"{valid} valid, {bad} invalid")
    return 1 if bad else 0


sys.exit(main())
