"""The package version, in one place, and fingerprints of stored results that include it."""

from __future__ import annotations

import hashlib
import json

__version__ = "0.1.0"


def fingerprint(*parts: object) -> str:
    """Hex sha256 of this databugs version and ``parts`` (as JSON, keys sorted): the key of a
    stored result (cached probabilities, a reusable report), so that any change to ``parts``,
    or an upgrade, computes it afresh.

    >>> fingerprint("a", {"x": 1}) == fingerprint("a", {"x": 1}) != fingerprint("b")
    True
    """
    text = json.dumps([__version__, *parts], sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
