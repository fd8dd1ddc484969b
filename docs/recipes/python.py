"""Resume links in Python, with the standard library only. Python 3.7 or later (sys.stdin.reconfigure)."""
import base64
import hashlib
import hmac
import sys
from urllib.parse import quote


def session_recovery_token(secret: str, entry_id: str, expires_at: str) -> str:
    """The seed's token: lowercase hex sha256(secret + "---" + entry_id + "---" + expires_at), over UTF-8."""
    return hashlib.sha256(f"{secret}---{entry_id}---{expires_at}".encode("utf-8")).hexdigest()


def session_recovery_v2_token(secret: str, credential_id: str, project_id: str, flow_id: str, entry_id: str, expires_at: str) -> str:
    """A v2 token (credential created with --algorithm hmac-sha256). flow_id "": valid for every flow of the project."""
    message = "\n".join(["session-recovery/v2", project_id, flow_id or "", entry_id, expires_at])
    mac = hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).digest()
    return f"v2.{credential_id}.{base64.urlsafe_b64encode(mac).decode('ascii').rstrip('=')}"


def resume_link(resume_url: str, token: str, entry_id: str, expires_at: str) -> str:
    """Your page's URL with the three parameters added, each URL-encoded (+01:00 becomes %2B01%3A00), before any #fragment."""
    base, hash_, fragment = resume_url.partition("#")
    query = "&".join(f"{name}={quote(value, safe='')}" for name, value in [("token", token), ("entry_id", entry_id), ("expires_at", expires_at)])
    return f"{base}{'&' if '?' in base else '?'}{query}{hash_}{fragment}"


# Example: a 7-day link.
#   from datetime import datetime, timedelta, timezone
#   expires_at = (datetime.now(timezone.utc) + timedelta(days=7)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
#   url = resume_link("https://www.example.com/flow", session_recovery_token(os.environ["TOKEN_SIGNING_SECRET"], entry_id, expires_at), entry_id, expires_at)

# How CI checks this file (test/recipes/recipes.test.ts): tab-separated lines on stdin, "token<TAB>url" out.
if __name__ == "__main__":
    sys.stdin.reconfigure(encoding="utf-8")
    sys.stdout.reconfigure(encoding="utf-8")
    for line in sys.stdin.read().split("\n"):
        if not line:
            continue
        kind, *f = line.split("\t")
        token = session_recovery_v2_token(*f[:6]) if kind == "v2" else session_recovery_token(*f[:3])
        entry_id, expires_at, resume_url = f[4:] if kind == "v2" else f[1:]
        print(f"{token}\t{resume_link(resume_url, token, entry_id, expires_at)}")
