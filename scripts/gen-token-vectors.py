#!/usr/bin/env python3
"""Writes test/fixtures/token-vectors.json, computed with Python's standard
library, independently of the TypeScript implementation:

- "vectors": the seed's token, sha256(secret + "---" + entry_id + "---" + expires_at),
  lowercase hex (hashlib);
- "links": whole resume links, for the recipes in docs/recipes/: the seed's token
  or a v2 token (hmac: "v2." + credential_id + "." + base64url(HMAC-SHA256(secret,
  "session-recovery/v2\\n" + project + "\\n" + flow + "\\n" + entry + "\\n" + expiry)),
  unpadded), and the URL mint builds: resume_url with token, entry_id and
  expires_at added as URL-encoded query parameters, before any fragment.

test/unit/token.test.ts checks every value against the product's own code."""
import base64
import hashlib
import hmac
import json
import pathlib
from urllib.parse import quote

CASES = [
    # The seed's own example values.
    ("my-secret-key", "entry_aaabbbcccdddeeefff", "2025-01-01T00:00:00.000Z"),
    ("tss_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG", "entry_1", "2030-06-15T12:30:45Z"),
    ("s", "a", "2031-12-31T23:59:59.999999999+14:00"),
    ("secret with spaces and ünïcödé ✓", "E-1_x", "2029-02-28T00:00:00-05:30"),
    ("legacy-flow-key", "entry-with-single-hyphens", "2028-02-29T10:00:00.5+01:00"),
    ("x" * 200, "e" * 128, "2027-07-04t04:05:06z"),
]

RESUME_URLS = [
    "https://www.example.com/flow",
    "https://quiz.example.com/onboarding/step?utm_source=sms&utm_campaign=spring",
    "https://www.example.com/flow#resume",
]

V2_CASES = [
    # secret, credential_id, project_id, flow_id ("" when minted without one), entry_id, expires_at
    ("tss_v2SecretValue0123456789abcdefghijklmnopqrstu", "cred_0123456789abcdef0123", "proj_aaabbbccc", "flow_onboarding", "entry_aaabbbcccdddeeefff", "2030-06-15T12:30:45.000Z"),
    ("tss_v2SecretValue0123456789abcdefghijklmnopqrstu", "cred_0123456789abcdef0123", "proj_aaabbbccc", "", "entry_1", "2029-02-28T00:00:00+01:00"),
]


def seed_token(secret, entry_id, expires_at):
    return hashlib.sha256(f"{secret}---{entry_id}---{expires_at}".encode("utf-8")).hexdigest()


def v2_token(secret, credential_id, project_id, flow_id, entry_id, expires_at):
    message = "\n".join(["session-recovery/v2", project_id, flow_id, entry_id, expires_at])
    mac = hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).digest()
    return f"v2.{credential_id}.{base64.urlsafe_b64encode(mac).decode('ascii').rstrip('=')}"


def resume_link(resume_url, token, entry_id, expires_at):
    base, hash_, fragment = resume_url.partition("#")
    query = "&".join(f"{name}={quote(value, safe='')}" for name, value in [("token", token), ("entry_id", entry_id), ("expires_at", expires_at)])
    return f"{base}{'&' if '?' in base else '?'}{query}{hash_}{fragment}"


vectors = [{"secret": s, "entry_id": e, "expires_at": x, "token": seed_token(s, e, x)} for s, e, x in CASES]
links = []
for i, (s, e, x) in enumerate(CASES):
    resume_url = RESUME_URLS[i % len(RESUME_URLS)]
    token = seed_token(s, e, x)
    links.append({"kind": "v1", "secret": s, "entry_id": e, "expires_at": x, "resume_url": resume_url, "token": token, "url": resume_link(resume_url, token, e, x)})
for i, (s, c, p, f, e, x) in enumerate(V2_CASES):
    resume_url = RESUME_URLS[i % len(RESUME_URLS)]
    token = v2_token(s, c, p, f, e, x)
    links.append({"kind": "v2", "secret": s, "credential_id": c, "project_id": p, "flow_id": f, "entry_id": e, "expires_at": x, "resume_url": resume_url, "token": token, "url": resume_link(resume_url, token, e, x)})

out = pathlib.Path(__file__).resolve().parent.parent / "test" / "fixtures" / "token-vectors.json"
document = {"generator": "python hashlib.sha256, hmac and urllib.parse.quote", "vectors": vectors, "links": links}
out.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
print(f"wrote {len(vectors)} vectors and {len(links)} links to {out}")
