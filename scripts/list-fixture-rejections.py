#!/usr/bin/env python3
"""Prints tests/data/fixture_rejections.tsv: every shared fixture that
`polku tag` rejects, with its reason. Run after changing a normaliser, review
the difference, and commit it with the change (the test fails when the list
grows or goes stale)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures"))
import test_tag_all_fixtures as t  # noqa: E402

print("# fixture (relative to ../shared/fixtures)\treason Polku gives (a substring of its error)")
for root, keep, flags in t.GROUPS:
    files = t.files_of(root, keep)
    errors = {}
    for line in t.tag(files, flags):
        if "error" in line:
            errors.setdefault(os.path.relpath(line["file"], t.FIXTURES), line["error"])
    for f in sorted(errors):
        reason = errors[f]
        # Keep the stable part of the message: the field or the event type.
        print(f"{f}\t{reason}")
