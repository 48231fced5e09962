"""Locks on the files databugs writes, so that two runs never interleave their writes.

A lock is ``fcntl.flock`` on a sidecar file ``.<name>.databugs.lock`` beside the file (the
file itself may be replaced while it is locked). The sidecar stays: removing it would race
with a run waiting for it. A run that cannot get a lock waits a little, then gives up with
one line, rather than writing over what the other run writes.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO

from databugs.errors import DatabugsError, ErrorCode

LOCK_WAIT_SECONDS = 10.0
_POLL_SECONDS = 0.05
_held = threading.local()  # the locks this thread holds: taking one again is a no-op


def lock_path(path: Path) -> Path:
    """The sidecar that stands for ``path``'s lock."""
    return path.parent / f".{path.name}.databugs.lock"


@contextmanager
def holding(*paths: Path) -> Iterator[None]:
    """Hold databugs' lock on every file in ``paths`` for the block.

    Locks are taken in one order (so two runs never wait on each other) and are reentrant
    within a thread (a function that locks the ledger may be called by one that holds it).
    """
    with ExitStack() as stack:
        for path in sorted({Path(p).resolve() for p in paths}):
            stack.enter_context(_lock(path))
        yield


@contextmanager
def _lock(path: Path) -> Iterator[None]:
    held: set[Path] = _held.__dict__.setdefault("paths", set())
    if path in held:
        yield
        return
    with _open_sidecar(path) as handle:
        _wait_for(handle, path)
        held.add(path)
        try:
            yield
        finally:
            held.discard(path)
            fcntl.flock(handle, fcntl.LOCK_UN)


def _open_sidecar(path: Path) -> IO[bytes]:
    try:
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW  # no write via a link
        return os.fdopen(os.open(lock_path(path), flags, 0o666), "ab")  # closed by the with
    except OSError as error:
        raise DatabugsError(
            f"{path}: cannot lock it ({lock_path(path).parent}: {error.strerror or error})",
            code=ErrorCode.CANNOT_WRITE,
        ) from None


def _wait_for(handle: IO[bytes], path: Path) -> None:
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise DatabugsError(
                    f"{path}: another databugs run is writing it (waited {LOCK_WAIT_SECONDS:g} s)",
                    code=ErrorCode.FILE_BUSY,
                    hint="let it finish, then run again",
                ) from None
            time.sleep(_POLL_SECONDS)
