#!/usr/bin/python3
"""asff.py: validate nodeward's ASFF output as BatchImportFindings requests with botocore's own
Security Hub model (Debian python3-botocore) and its ParamValidator, batch by batch of 100,
as the SSM document sends them.

Usage: asff.py FILE...   exit 0 all valid, 1 one is not, 2 usage."""
import json
import sys

import botocore.session
from botocore.validate import ParamValidator

BATCH = 100


def model_limits(value, shape, where, errs):
    """What ParamValidator leaves out: the model's enums and maximum lengths."""
    if shape.type_name == "structure" and isinstance(value, dict):
        for k, v in value.items():
            if k in shape.members:
                model_limits(v, shape.members[k], f"{where}.{k}", errs)
    elif shape.type_name == "list" and isinstance(value, list):
        if "max" in shape.metadata and len(value) > shape.metadata["max"]:
            errs.append(f"{where}: {len(value)} items, the model allows {shape.metadata['max']}")
        for i, v in enumerate(value):
            model_limits(v, shape.member, f"{where}[{i}]", errs)
    elif shape.type_name == "map" and isinstance(value, dict):
        for k, v in value.items():
            model_limits(k, shape.key, f"{where} key", errs)
            model_limits(v, shape.value, f"{where}[{k}]", errs)
    elif shape.type_name == "string" and isinstance(value, str):
        if shape.enum and value not in shape.enum:
            errs.append(f"{where}: {value!r} is not one of {shape.enum}")
        if "max" in shape.metadata and len(value) > shape.metadata["max"]:
            errs.append(f"{where}: {len(value)} characters, the model allows {shape.metadata['max']}")


def main(files):
    if not files:
        print("usage: asff.py FILE...", file=sys.stderr)
        return 2
    model = botocore.session.get_session().get_service_model("securityhub")
    shape = model.operation_model("BatchImportFindings").input_shape
    validator = ParamValidator()
    bad = 0
    for path in files:
        with open(path, encoding="utf-8") as f:
            request = json.load(f)
        findings = request.get("Findings")
        if set(request) != {"Findings"} or not isinstance(findings, list) or not findings:
            print(f"{path}: not a BatchImportFindings request with Findings", file=sys.stderr)
            bad += 1
            continue
        ids = [x.get("Id") for x in findings]
        if len(set(ids)) != len(ids):
            print(f"{path}: duplicate finding Ids", file=sys.stderr)
            bad += 1
        for start in range(0, len(findings), BATCH):
            report = validator.validate({"Findings": findings[start:start + BATCH]}, shape)
            if report.has_errors():
                print(f"{path}: findings {start}..: {report.generate_report()}", file=sys.stderr)
                bad += 1
        errs = []
        model_limits(request, shape, "", errs)
        for e in errs[:20]:
            print(f"{path}: {e}", file=sys.stderr)
        bad += bool(errs)
        if not bad:
            print(f"{path}: {len(findings)} findings valid for securityhub "
                  f"{model.api_version} BatchImportFindings (botocore {botocore.__version__})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
