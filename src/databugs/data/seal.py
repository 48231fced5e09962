"""A key this machine keeps, so that a stored result found in a folder anyone could have
written (a report folder committed in a pull request, with its reuse record and cached model
outputs) is trusted only if this machine stored it: the record and the cache's file names are
sealed with the key, which nothing in the data can read or guess."""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import time
from pathlib import Path

KEY_BYTES = 32


def key_path() -> Path:
    """``$XDG_CACHE_HOME/databugs/key`` (default ``~/.cache``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "databugs" / "key"


def seal(*parts: str) -> str | None:
    """A keyed hash of ``parts``, or None where this machine keeps no key (a home that cannot
    be written): then nothing stored is reused, which costs time only."""
    key = _key(key_path())
    if key is None:
        return None
    return hmac.new(key, json.dumps(parts).encode("utf-8"), hashlib.sha256).hexdigest()


@functools.cache
def _key(path: Path) -> bytes | None:
    """The key at ``path``, made (readable by this user only) the first time it is asked for."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        return _read_key(path)
    except OSError:
        return None
    with os.fdopen(handle, "wb") as out:
        out.write(os.urandom(KEY_BYTES))
    return _read_key(path)


def _read_key(path: Path) -> bytes | None:
    """The key, waiting briefly for another process that is writing it."""
    for _ in range(50):
        try:
            key = path.read_bytes()
        except OSError:
            return None
        if len(key) >= KEY_BYTES:
            return key
        time.sleep(0.01)
    return None
