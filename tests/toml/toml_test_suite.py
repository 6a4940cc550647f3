#!/usr/bin/env python3
"""toml_test_suite: run nodeward's TOML reader over the toml-test suite (github.com/toml-lang/toml-test,
MIT licence): every valid/ case must be accepted with the values of its .json file, every invalid/
case rejected. The suite is not part of this repository; point the script at a checkout of it.

usage: toml_test_suite.py TOML_DUMP TOML_TEST_DIR/tests [FILE_LIST]
FILE_LIST defaults to files-toml-1.0.0 in that directory.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tomldiff import from_c, same  # noqa: E402


def expected(j):
    # toml-test writes floats as "inf"/"+inf"/"nan" and integers as decimal text; from_c reads both.
    return from_c(j)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    dump, root = sys.argv[1], sys.argv[2]
    listing = sys.argv[3] if len(sys.argv) > 3 else os.path.join(root, "files-toml-1.0.0")
    with open(listing) as f:
        cases = [l.strip() for l in f if l.strip().endswith(".toml")]
    paths = [os.path.join(root, c) for c in cases]
    out = subprocess.run([dump] + paths, check=True, capture_output=True).stdout.decode("utf-8")
    lines = out.split("\n")[: len(paths)]
    bad = 0
    for case, line in zip(cases, lines):
        rejected = line.startswith("error: ")
        if case.startswith("invalid/"):
            if not rejected:
                bad += 1
                print("ACCEPTED invalid %s" % case)
            continue
        if rejected:
            bad += 1
            print("REJECTED valid %s: %s" % (case, line))
            continue
        with open(os.path.join(root, case[: -len(".toml")] + ".json")) as f:
            want = expected(json.load(f))
        if not same(want, from_c(json.loads(line))):
            bad += 1
            print("VALUES differ %s\n  got %s" % (case, line[:300]))
    print("toml-test: %d cases, %d failed" % (len(cases), bad))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
