"""`buyer_key`: a keyed one-way hash of the TikTok buyer's user id (HMAC-SHA256).

An unsalted hash of a user id is no protection: anyone holding the raw id hashes it and links
the buyer. The key comes from `LINKSTAR_BUYER_KEY_SECRET`; when that is unset (the sandbox, a
first run) a random key is generated once and kept in `$LINKSTAR_HOME/secrets/buyer_key.secret`
(mode 0600). The same key gives the same `buyer_key` on every run, so repeat-buyer and cohort
KPIs stay stable; a different key gives unrelated keys (every KPI count is unchanged, only the
key values differ). The key is only ever held in memory by the dbt process's DuckDB function
(`dbt_buyer_key_plugin`); it never appears in SQL, logs or metadata.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

ENV_BUYER_KEY_SECRET = "LINKSTAR_BUYER_KEY_SECRET"
SECRET_FILE = Path("secrets") / "buyer_key.secret"
_MIN_SECRET_LENGTH = 16


class BuyerKeySecretError(RuntimeError):
    """The buyer-key secret is unusable (too short, or its file is readable by others)."""


def buyer_key(user_id: str, secret: bytes) -> str:
    """The hex HMAC-SHA256 of the user id under `secret`."""
    return hmac.new(secret, user_id.encode("utf-8"), hashlib.sha256).hexdigest()


def buyer_key_secret(home: Path, environ: dict[str, str] | None = None) -> bytes:
    """The secret from the environment, else from (or newly written to) the home's file."""
    env = os.environ if environ is None else environ
    configured = (env.get(ENV_BUYER_KEY_SECRET) or "").strip()
    if configured:
        return _long_enough(configured, ENV_BUYER_KEY_SECRET)
    path = home / SECRET_FILE
    if not path.exists():
        _create(path)
    if path.stat().st_mode & 0o077:
        raise BuyerKeySecretError(
            f"{path} is readable by other users; run `chmod 600 {path}` and try again"
        )
    return _long_enough(path.read_text(encoding="utf-8").strip(), str(path))


def _create(path: Path) -> None:
    """Written with mode 0600 from the start (never briefly world-readable); a concurrent
    first run that wins the race keeps its key and this one reads it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_hex(32) + "\n")


def _long_enough(secret: str, where: str) -> bytes:
    if len(secret) < _MIN_SECRET_LENGTH:
        raise BuyerKeySecretError(
            f"the buyer-key secret in {where} has {len(secret)} characters; use at least "
            f"{_MIN_SECRET_LENGTH} (e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`)"
        )
    return secret.encode("utf-8")
