"""Checks every command makes before it writes: never over a file it reads or keeps, only
where it can write; and a failed write as one line naming the file.

A command lists every file it will write and every file it must not touch, and calls
:func:`check_outputs` before any work, so that a refusal costs nothing and leaves nothing
half-written.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from glob import escape
from pathlib import Path

from databugs.data.write import temporary_prefix
from databugs.errors import DatabugsError, ErrorCode


def check_outputs(outputs: Iterable[Path], kept: Mapping[Path, str]) -> None:
    """Refuse if an output is one of the ``kept`` files or cannot be written."""
    outputs = list(outputs)
    refuse_overwriting(outputs, kept)
    for output in outputs:
        check_writable(output)


def refuse_overwriting(outputs: Iterable[Path], kept: Mapping[Path, str]) -> None:
    """Refuse if an output is one of the ``kept`` files (file -> what it is: "the data")."""
    for output in outputs:
        for path, what in kept.items():
            if same_file(output, path):
                raise DatabugsError(
                    f"{output}: is {what}; databugs does not write over it",
                    code=ErrorCode.BAD_OPTION,
                    hint="choose another output",
                )


def same_file(a: Path, b: Path) -> bool:
    """The same file, however named (relative, through a link, a hard link)."""
    if Path(a).resolve() == Path(b).resolve():
        return True
    return Path(a).exists() and Path(b).exists() and os.path.samefile(a, b)


def check_writable(path: Path) -> None:
    """Refuse a file that cannot be written (as a temporary file beside it, then renamed)."""
    path = Path(path)
    if path.is_dir():
        raise _cannot(path, "it is a folder")
    folder = path.absolute().parent
    while not folder.exists():
        folder = folder.parent
    if not folder.is_dir():
        raise _cannot(path, f"{folder} is a file, not a folder")
    if not os.access(folder, os.W_OK | os.X_OK) or _marked_read_only(folder):
        raise _cannot(path, f"the folder {folder} is read-only")
    if path.is_file() and (not os.access(path, os.W_OK) or _marked_read_only(path)):
        raise _cannot(path, "the file is read-only")


def _marked_read_only(path: Path) -> bool:
    """No one may write it (``chmod 444``): root may, but a file so marked says "keep me"
    (CI jobs and containers often run as root)."""
    return not path.stat().st_mode & 0o222


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """Turn an OSError in the block (permission denied, disk full, ...) into one line."""
    try:
        yield
    except OSError as error:
        raise _cannot(path, error.strerror or str(error)) from None


def _cannot(path: Path, why: str) -> DatabugsError:
    return DatabugsError(f"{path}: cannot write ({why})", code=ErrorCode.CANNOT_WRITE)


def remove_stale_temporaries(paths: Iterable[Path]) -> None:
    """Remove the temporary files a killed databugs run left beside these files (call it
    holding their locks, so that no live run is writing them)."""
    for path in paths:
        for temporary in Path(path).parent.glob(escape(temporary_prefix(Path(path))) + "*"):
            temporary.unlink(missing_ok=True)
