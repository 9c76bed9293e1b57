#!/usr/bin/env python3
"""Fails when a core source includes a gRPC, protobuf, Prometheus, SQLite or
libpq header, directly or through other headers.

The core (model, tagger, profiles, recommender, store port) must stay free of
them, and since all of those headers sit in /usr/include a missing link
dependency would not catch it. For each source of each core target (listed in
the manifest CMake writes), the compiler prints the headers it really reads
(-M); any forbidden one fails the check.

--self-test writes a core-like file that includes <grpcpp/grpcpp.h> and
checks that the check catches it (so the check itself cannot silently pass).
"""
import argparse
import os
import subprocess
import sys
import tempfile

FORBIDDEN = (
    "/grpc/", "/grpcpp/", "/grpc++/", "/google/protobuf/", "/prometheus/",
    "sqlite3.h", "libpq-fe.h", "/postgresql/", ".pb.h",
)


def read_manifest(path):
    targets, current = [], None
    with open(path, encoding="utf-8") as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition(" ")
            if key == "target":
                current = {"name": value}
                targets.append(current)
            elif current is not None:
                current[key] = [v for v in value.split(";") if v] if key != "dir" else value
    return targets


def dependencies(compiler, source, includes):
    # -M, not -MM: the forbidden headers are system headers.
    cmd = [compiler, "-std=c++17", "-M", "-MG"] + ["-I" + i for i in includes] + [source]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{source}: {out.stderr.strip()}")
    return out.stdout.replace("\\\n", " ").split()[1:]


def check(targets, compiler):
    problems, checked = [], 0
    for t in targets:
        for src in t.get("sources", []):
            path = src if os.path.isabs(src) else os.path.join(t["dir"], src)
            if not path.endswith((".cc", ".cpp", ".h")):
                continue
            checked += 1
            for dep in dependencies(compiler, path, t.get("includes", [])):
                if any(f in dep for f in FORBIDDEN):
                    problems.append(f"{t['name']}: {os.path.relpath(path)} includes {dep}")
    return problems, checked


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--compiler", default="c++")
    ap.add_argument("--self-test", action="store_true")
    args = ap.parse_args()
    targets = read_manifest(args.manifest)
    if not targets:
        print("no core targets in the manifest", file=sys.stderr)
        return 1
    if args.self_test:
        with tempfile.TemporaryDirectory() as tmp:
            bad = os.path.join(tmp, "bad_core.cc")
            with open(bad, "w") as f:
                f.write('#include "model/learning_event.h"\n#include <grpcpp/grpcpp.h>\n')
            fake = dict(targets[0], name="self_test", dir=tmp, sources=[bad])
            problems, _ = check([fake], args.compiler)
        if not problems:
            print("FAIL: the include check missed a gRPC include")
            return 1
        print("ok: the include check caught:", problems[0])
        return 0
    problems, checked = check(targets, args.compiler)
    for p in problems:
        print("forbidden include:", p)
    print(f"{checked} core sources checked in {len(targets)} targets, "
          f"{len(problems)} forbidden includes")
    return 1 if problems or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
