#!/usr/bin/env python3
"""Writes test/fixtures/token-vectors.json: tokens computed with Python's hashlib,
independently of the TypeScript implementation, from the seed's formula
sha256(secret + "---" + entry_id + "---" + expires_at), lowercase hex."""
import hashlib
import json
import pathlib

CASES = [
    # The seed's own example values.
    ("my-secret-key", "entry_aaabbbcccdddeeefff", "2025-01-01T00:00:00.000Z"),
    ("tss_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG", "entry_1", "2030-06-15T12:30:45Z"),
    ("s", "a", "2031-12-31T23:59:59.999999999+14:00"),
    ("secret with spaces and ünïcödé ✓", "E-1_x", "2029-02-28T00:00:00-05:30"),
    ("legacy-flow-key", "entry-with-single-hyphens", "2028-02-29T10:00:00.5+01:00"),
    ("x" * 200, "e" * 128, "2027-07-04t04:05:06z"),
]

vectors = [
    {
        "secret": s,
        "entry_id": e,
        "expires_at": x,
        "token": hashlib.sha256(f"{s}---{e}---{x}".encode("utf-8")).hexdigest(),
    }
    for s, e, x in CASES
]
out = pathlib.Path(__file__).resolve().parent.parent / "test" / "fixtures" / "token-vectors.json"
out.write_text(json.dumps({"generator": "python hashlib.sha256", "vectors": vectors}, indent=2, ensure_ascii=False) + "\n")
print(f"wrote {len(vectors)} vectors to {out}")
