"""Writing output files so that a reader never sees half of one."""

from __future__ import annotations

from pathlib import Path
from typing import Callable


def write_replacing(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on ``PATH.part`` beside ``path``, then rename it over ``path``.

    The ``.part`` file never survives, whether ``write`` succeeds or raises.

    Raises
    ------
    ValueError
        If ``path`` exists and is not a regular file (a folder, a device): renaming
        over it would replace it.
    OSError
        If the folder does not exist or is not writable.
    """
    path = Path(path)
    if path.exists() and not path.is_file():
        raise ValueError(f"cannot write {path}: it exists and is not a regular file")
    tmp = path.with_name(path.name + ".part")
    try:
        write(tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
