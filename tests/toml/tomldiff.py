#!/usr/bin/env python3
"""tomldiff: compare nodeward's TOML reader with Python's tomllib.

Generates documents from a fixed seed (valid ones from a TOML grammar, then byte-level
mutations of them, which are valid or not), adds any files given on the command line, runs
toml_dump once over all of them and tomllib over each, and requires the same accept/reject
verdict and the same typed values. Two deliberate differences: tomllib accepts integers
beyond 64 bits, which the TOML specification says must be rejected (such documents count
as rejected on the Python side), and nodeward skips a leading UTF-8 byte order mark as the
toml-test suite expects (the Python side decodes with utf-8-sig).

usage: tomldiff.py TOML_DUMP WORKDIR COUNT SEED [FILE...]
"""
import datetime
import json
import math
import os
import random
import subprocess
import sys
import tomllib

INT64 = (-(2**63), 2**63 - 1)


class Reject(Exception):
    pass


def tagged(v):
    if isinstance(v, dict):
        return {k: tagged(x) for k, x in v.items()}
    if isinstance(v, list):
        return [tagged(x) for x in v]
    if isinstance(v, bool):
        return ("bool", v)
    if isinstance(v, int):
        if not INT64[0] <= v <= INT64[1]:
            raise Reject("integer beyond 64 bits")
        return ("integer", v)
    if isinstance(v, float):
        return ("float", v)
    if isinstance(v, str):
        return ("string", v)
    if isinstance(v, datetime.datetime):
        return ("datetime" if v.tzinfo else "datetime-local", v)
    if isinstance(v, datetime.date):
        return ("date-local", v)
    if isinstance(v, datetime.time):
        return ("time-local", v)
    raise TypeError(type(v))


def from_c(j):
    if isinstance(j, list):
        return [from_c(x) for x in j]
    if isinstance(j, dict) and set(j) == {"type", "value"} and isinstance(j["value"], str):
        t, s = j["type"], j["value"]
        if t == "integer":
            return (t, int(s))
        if t == "float":
            return (t, float(s))
        if t == "bool":
            return (t, s == "true")
        if t == "string":
            return (t, s)
        return (t, tomllib.loads("v = " + s)["v"])
    return {k: from_c(x) for k, x in j.items()}


def same(a, b):
    if isinstance(a, dict) and isinstance(b, dict):
        return set(a) == set(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, tuple) and isinstance(b, tuple):
        if a[0] != b[0]:
            return False
        if a[0] == "float":
            if math.isnan(a[1]) or math.isnan(b[1]):
                return math.isnan(a[1]) and math.isnan(b[1])
            return a[1] == b[1] and math.copysign(1, a[1]) == math.copysign(1, b[1])
        return a[1] == b[1]
    return False


def reference(data):
    try:
        return tagged(tomllib.loads(data.decode("utf-8-sig")))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, Reject, RecursionError):
        return None


# ---- the generator ----

class Gen:
    def __init__(self, rnd):
        self.r = rnd

    def bare(self):
        alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"
        return "".join(self.r.choice(alphabet) for _ in range(self.r.randint(1, 6)))

    def strchar(self):
        r = self.r.random()
        if r < 0.6:
            return self.r.choice("abc xyz019/:.-_=[]{}#,")
        if r < 0.75:
            return self.r.choice(["é", "ß", "日本", "🙂", "\u2028", "\t"])
        return None  # an escape, for basic strings only

    def basic(self, multiline=False):
        out = []
        for _ in range(self.r.randint(0, 8)):
            c = self.strchar()
            if c is None:
                c = self.r.choice(["\\n", "\\t", "\\\\", "\\\"", "\\b", "\\f", "\\r",
                                   "\\u00e9", "\\U0001F600", "\\u0000", "\\u007f"])
            elif multiline and self.r.random() < 0.1:
                c = self.r.choice(["\n", "\"", "\"\"", "\\\n   ", "\\  \n\n  "])
            out.append(c)
        body = "".join(out)
        if multiline:
            return '"""' + self.r.choice(["", "\n"]) + body + '"""'
        return '"' + body + '"'

    def literal(self, multiline=False):
        out = []
        for _ in range(self.r.randint(0, 8)):
            c = self.strchar() or "\\"
            if multiline and self.r.random() < 0.1:
                c = self.r.choice(["\n", "'", "''"])
            out.append(c)
        body = "".join(out)
        if multiline:
            return "'''" + self.r.choice(["", "\n"]) + body + "'''"
        return "'" + body + "'"

    def key_part(self):
        r = self.r.random()
        if r < 0.75:
            return self.bare()
        if r < 0.9:
            return self.basic()
        return self.literal()

    def key(self, max_parts=3):
        sep = self.r.choice([".", ".", " . ", ". "])
        return sep.join(self.key_part() for _ in range(self.r.randint(1, max_parts)))

    def digits(self, alphabet, n):
        s = self.r.choice(alphabet[1:]) + "".join(self.r.choice(alphabet) for _ in range(n - 1))
        if len(s) > 2 and self.r.random() < 0.3:
            i = self.r.randint(1, len(s) - 1)
            s = s[:i] + "_" + s[i:]
        return s

    def integer(self):
        r = self.r.random()
        if r < 0.1:
            return self.r.choice(["0", "+0", "-0", "9223372036854775807", "-9223372036854775808",
                                  "9223372036854775808", "0x7fffffffffffffff", "0x8000000000000000"])
        if r < 0.6:
            return self.r.choice(["", "+", "-"]) + self.digits("0123456789", self.r.randint(1, 12))
        if r < 0.75:
            return "0x" + self.digits("0123456789abcdefABCDEF", self.r.randint(1, 10))
        if r < 0.88:
            return "0o" + self.digits("01234567", self.r.randint(1, 10))
        return "0b" + self.digits("01", self.r.randint(1, 20))

    def float_(self):
        r = self.r.random()
        if r < 0.15:
            return self.r.choice(["inf", "+inf", "-inf", "nan", "+nan", "-nan", "-0.0", "+0.0",
                                  "1e400", "-1e400", "5e-324", "1e-400", "0e0", "0.1e-1_0"])
        ip = self.r.choice(["", "+", "-"]) + self.r.choice(["0", self.digits("0123456789", self.r.randint(1, 8))])
        frac = "." + self.digits("0123456789", self.r.randint(1, 8)).replace("_", "") if self.r.random() < 0.7 else ""
        exp = ""
        if not frac or self.r.random() < 0.4:
            exp = self.r.choice("eE") + self.r.choice(["", "+", "-"]) + str(self.r.randint(0, 330))
        return ip + frac + exp

    def datetime_(self):
        y = "%04d" % self.r.randint(0, 9999)
        m = "%02d" % self.r.randint(1, 12)
        d = "%02d" % self.r.choice([1, 15, 28, 29, 30, 31])
        t = "%02d:%02d:%02d" % (self.r.randint(0, 23), self.r.randint(0, 59), self.r.randint(0, 59))
        if self.r.random() < 0.3:
            t += "." + str(self.r.randint(0, 10**self.r.randint(1, 9)))
        off = self.r.choice(["", "Z", "z", "+05:30", "-08:00", "+23:59"])
        form = self.r.randint(0, 3)
        if form == 0:
            return y + "-" + m + "-" + d
        if form == 1:
            return t
        return y + "-" + m + "-" + d + self.r.choice("Tt ") + t + (off if form == 3 else "")

    def value(self, depth=0):
        r = self.r.random()
        if depth < 3 and r < 0.12:
            items = [self.value(depth + 1) for _ in range(self.r.randint(0, 4))]
            sep = self.r.choice([", ", ",", " , ", ",\n  ", ", # c\n "])
            trail = self.r.choice(["", ",", "\n"]) if items else ""
            return "[" + sep.join(items) + trail + "]"
        if depth < 3 and r < 0.22:
            items = [self.key(2) + " = " + self.value(depth + 1) for _ in range(self.r.randint(0, 3))]
            return "{" + ", ".join(items) + "}"
        choices = [
            lambda: self.basic(), lambda: self.basic(True), lambda: self.literal(),
            lambda: self.literal(True), self.integer, self.float_, self.datetime_,
            lambda: self.r.choice(["true", "false"]),
        ]
        return self.r.choice(choices)()

    def document(self):
        lines = []
        headers = []
        for _ in range(self.r.randint(1, 14)):
            r = self.r.random()
            if r < 0.15:
                h = self.r.choice(headers) if headers and self.r.random() < 0.3 else self.key(3)
                headers.append(h)
                lines.append("[" + h + "]")
            elif r < 0.22:
                h = self.r.choice(headers) if headers and self.r.random() < 0.5 else self.key(2)
                headers.append(h)
                lines.append("[[" + h + "]]")
            elif r < 0.27:
                lines.append(self.r.choice(["", "# a comment é", "   ", "\t# x"]))
            else:
                lines.append(self.key(3) + self.r.choice([" = ", "=", "\t=  "]) + self.value()
                             + self.r.choice(["", "", " # trailing"]))
        return ("\r\n" if self.r.random() < 0.05 else "\n").join(lines) + self.r.choice(["", "\n"])

    def mutate(self, doc):
        b = bytearray(doc.encode("utf-8"))
        for _ in range(self.r.randint(1, 3)):
            op = self.r.random()
            i = self.r.randint(0, len(b))
            if op < 0.35 and b:
                del b[min(i, len(b) - 1)]
            elif op < 0.75:
                ins = self.r.choice([b"=", b".", b"[", b"]", b"{", b"}", b",", b"\"", b"'", b"\\",
                                     b"#", b"\n", b" ", b"_", b"0", b"e", b"x", b":", b"-", b"\r",
                                     b"\x00", b"\x7f", b"\xc3", b"\xff", b"\xed\xa0\x80", b"\t"])
                b[i:i] = ins
            else:
                lines = bytes(b).split(b"\n")
                j = self.r.randrange(len(lines))
                lines.insert(self.r.randrange(len(lines) + 1), lines[j])
                b = bytearray(b"\n".join(lines))
        return bytes(b)


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    dump, work, count, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    files = list(sys.argv[5:])
    g = Gen(random.Random(seed))
    os.makedirs(work, exist_ok=True)
    for n in range(count):
        doc = g.document()
        data = doc.encode("utf-8") if n % 2 == 0 else g.mutate(doc)
        path = os.path.join(work, "gen-%05d.toml" % n)
        with open(path, "wb") as f:
            f.write(data)
        files.append(path)
    out = subprocess.run([dump] + files, check=True, capture_output=True).stdout.decode("utf-8")
    got = out.split("\n")[: len(files)]
    tally = {"accepted": 0, "rejected": 0, "mismatch": 0}
    for path, line in zip(files, got):
        with open(path, "rb") as f:
            want = reference(f.read())
        mine = None if line.startswith("error: ") else from_c(json.loads(line))
        if (want is None) != (mine is None) or (want is not None and not same(want, mine)):
            tally["mismatch"] += 1
            if tally["mismatch"] <= 10:
                print("MISMATCH %s\n  nodeward: %s\n  tomllib:  %s" % (path, line[:400], "reject" if want is None else str(want)[:400]))
        else:
            tally["accepted" if want is not None else "rejected"] += 1
    print("tomldiff: %d documents: %d accepted alike, %d rejected alike, %d mismatches"
          % (len(files), tally["accepted"], tally["rejected"], tally["mismatch"]))
    sys.exit(1 if tally["mismatch"] else 0)


if __name__ == "__main__":
    main()
