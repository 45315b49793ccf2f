#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# check_schema.py SCHEMA DEF < DOC: validate one bpflp -j document read from
# stdin against $defs/DEF of the bpflp output schema (draft 2020-12), and
# against the schema as a whole. Exit 0 if valid, 1 with every problem listed.
import json
import sys

import jsonschema

schema_path, name = sys.argv[1], sys.argv[2]
with open(schema_path) as f:
    schema = json.load(f)
jsonschema.Draft202012Validator.check_schema(schema)
doc = json.load(sys.stdin)
whole = jsonschema.Draft202012Validator(schema)
part = {k: v for k, v in schema.items() if k != "oneOf"}
part["$ref"] = "#/$defs/" + name
errors = list(jsonschema.Draft202012Validator(part).iter_errors(doc))
if not errors:
    errors = list(whole.iter_errors(doc))
for e in errors:
    print(f"{name}: {'/'.join(map(str, e.absolute_path)) or '(document)'}: {e.message}",
          file=sys.stderr)
sys.exit(1 if errors else 0)
