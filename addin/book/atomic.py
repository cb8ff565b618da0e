"""Saving a workbook so a crash never leaves a half-written file: the new file is written
beside the old one under a unique temporary name (``tempfile.mkstemp``, so two processes never
share one), flushed to disk, the old one is kept as ``<name>.prev.xlsx`` (``.prev.xlsm`` for a
macro workbook), and one rename puts the new file in place.

When the disk is full, read-only or the file is held by another program, ``save_beside``
removes its temporary file and raises ``WorkbookNotSaved`` saying why: the workbook on disk is
then exactly as it was before.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from addin.book.errors import WorkbookNotSaved


def previous_version(target: Path) -> Path:
    return target.with_name(f"{target.stem}.prev{target.suffix}")


def temporary_beside(target: Path) -> Path:
    """A new, empty, uniquely named file in ``target``'s folder (hidden, same suffix)."""
    fd, name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=f".tmp{target.suffix}", dir=target.parent
    )
    os.close(fd)
    return Path(name)


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; Windows has no folder handles)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        with contextlib.suppress(OSError):  # some filesystems refuse fsync on a folder
            os.fsync(fd)
    finally:
        os.close(fd)


def _keep_previous(target: Path) -> Path:
    """``target``'s current content as ``<name>.prev<suffix>``, replaced in one rename.

    A hard link costs no space and no copy; where links are refused (FAT, some shares) the
    file is copied to a temporary name first, so ``.prev`` is never half a file either."""
    previous = previous_version(target)
    staged = temporary_beside(target)
    try:
        try:
            staged.unlink()
            os.link(target, staged)
        except OSError:
            shutil.copy2(target, staged)
        os.replace(staged, previous)
    finally:
        staged.unlink(missing_ok=True)
    return previous


def replace_keeping_previous(new: Path, target: Path) -> Path:
    """Move the finished file ``new`` over ``target``, keeping ``target``'s last version."""
    _fsync_file(new)
    previous = previous_version(target)
    if target.exists():
        previous = _keep_previous(target)
    os.replace(new, target)
    _fsync_folder(target.parent)
    return previous


def why_not_written(error: OSError) -> str:
    """The cause of a failed write, in the user's words."""
    code = error.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return "the disk is full"
    if code == errno.EROFS:
        return "the disk or folder is read-only"
    if code in (errno.EACCES, errno.EPERM) or isinstance(error, PermissionError):
        return (
            "writing there is not permitted (the folder or file is read-only, or another "
            "program has the file open)"
        )
    return error.strerror or type(error).__name__


def not_saved(target: Path, error: OSError) -> WorkbookNotSaved:
    """``WorkbookNotSaved`` for ``target`` (the file on disk is unchanged)."""
    reason = why_not_written(error)
    return WorkbookNotSaved(
        f"Could not save {target.name} in {target.parent}: {reason}. The file on disk is "
        "unchanged (as it was before this command). Free some space or make the folder "
        "writable (or close the program holding the file), then run the command again.",
        path=str(target),
        reason=reason,
    )


def save_beside(
    target: Path, write: Callable[[Path], object], *, keep_previous: bool = True
) -> Path:
    """Write ``target`` atomically: ``write(temporary)`` then one rename; see the module doc.

    Returns ``target``. Raises ``WorkbookNotSaved`` (with ``target`` untouched) on any
    ``OSError`` while writing, flushing, keeping the previous version or renaming."""
    target = Path(target)
    temporary: Path | None = None
    try:
        temporary = temporary_beside(target)
        write(temporary)
        if keep_previous:
            replace_keeping_previous(temporary, target)
        else:
            _fsync_file(temporary)
            os.replace(temporary, target)
            _fsync_folder(target.parent)
    except OSError as e:
        raise not_saved(target, e) from None
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
    return target


def room_to_save(target: Path) -> str | None:
    """Why a new version of ``target`` could not be saved now (read-only folder, no space for
    the new file and ``.prev``), or None. A probe, not a promise: the save still checks."""
    target = Path(target)
    try:
        temporary_beside(target).unlink()
    except OSError as e:
        return why_not_written(e)
    try:
        size = target.stat().st_size if target.exists() else 0
        free = shutil.disk_usage(target.parent).free
    except OSError:
        return None
    if free < 2 * size + (1 << 20):
        return f"the disk is full ({free / (1 << 20):,.1f} MB free)"
    return None
