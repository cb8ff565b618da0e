"""Who else has a workbook file: a spreadsheet application, or another demandgrid command.

**Open in an application.** Excel keeps an owner file ``~$<name>`` beside a workbook it has
open (for names longer than seven characters, Office may put ``~$`` over the name's first two
characters instead: ``~$ngreview.xlsx`` for ``longreview.xlsx``); LibreOffice keeps ``.~lock.<name>#``, a line
``name,system user,host,date,profile;``. A command that rewrote the file under an open application
would lose its work at the application's next save (or the application's at ours), so
``refuse_if_open`` refuses, naming the application and who has the file, and says how to
proceed. A lock file left by a crash looks the same: the message says it may be stale and how
to remove it, rather than ignoring it silently. The ribbon works on the open workbook through
``addin.excel.book`` and never calls this.

**Another demandgrid command.** ``hold(path)`` takes an OS advisory lock (``fcntl.flock``;
``msvcrt.locking`` on Windows) on a sidecar file ``.<name>.demandgrid-lock`` for the whole of a
check, push, pull or refresh. A second command waits up to ``WAIT_SECONDS`` and then refuses
with ``WorkbookBusy``, naming the file and the process holding it. The lock dies with its
process, so a killed command never leaves the workbook locked.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from addin.book.errors import WorkbookBusy, WorkbookOpenElsewhere

#: How long a second command waits for the first to finish with a workbook.
WAIT_SECONDS = 5.0
LOCK_SUFFIX = ".demandgrid-lock"


# ---------------------------------------------------------------- open in an application


@dataclass(frozen=True)
class OwnerFile:
    """An application's owner file beside a workbook."""

    path: Path
    application: str  # "Excel" or "LibreOffice"
    user: str = ""
    host: str = ""
    since: str = ""

    def who(self) -> str:
        parts = [f"by {self.user}" if self.user else "", f"on {self.host}" if self.host else ""]
        parts.append(f"since {self.since}" if self.since else "")
        return " ".join(p for p in parts if p)


def excel_owner_names(name: str) -> list[str]:
    """The names Excel may give the owner file of ``name``."""
    names = [f"~${name}"]
    if len(Path(name).stem) > 7:
        names.append(f"~${name[2:]}")
    return names


def libreoffice_owner_name(name: str) -> str:
    return f".~lock.{name}#"


def owner_files(path: str | Path) -> list[OwnerFile]:
    """The owner files beside ``path``: the applications that have it open (or had, and crashed)."""
    p = Path(path)
    found = []
    for name in excel_owner_names(p.name):
        owner = p.with_name(name)
        if owner.is_file():
            found.append(OwnerFile(owner, "Excel", user=_excel_user(owner)))
    owner = p.with_name(libreoffice_owner_name(p.name))
    if owner.is_file():
        user, host, since = _libreoffice_owner(owner)
        found.append(OwnerFile(owner, "LibreOffice", user=user, host=host, since=since))
    return found


def _excel_user(owner: Path) -> str:
    """The user name Excel writes into its owner file: a length byte, then the name."""
    try:
        data = owner.read_bytes()[:200]
    except OSError:
        return ""
    if not data or data[0] == 0 or data[0] > 54 or len(data) < 1 + data[0]:
        return ""
    return data[1 : 1 + data[0]].decode("latin-1", errors="replace").strip()


def _libreoffice_owner(owner: Path) -> tuple[str, str, str]:
    """(user, host, date) from LibreOffice's ``name,sysuser,host,date,profile;`` line."""
    try:
        text = owner.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "", "", ""
    fields = text.strip().rstrip(";").split(",")
    fields += [""] * (4 - len(fields))
    name, user, host, since = (f.strip() for f in fields[:4])
    return name or user, host, since


def _libreoffice_running_here() -> bool | None:
    """Whether a LibreOffice process runs on this computer; None where we cannot tell."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            if (entry / "comm").read_text().strip().startswith(("soffice", "oosplash")):
                return True
    return False


def _stale_hint(owner: OwnerFile) -> str:
    if owner.application == "LibreOffice":
        here = owner.host in ("", socket.gethostname())
        if here and _libreoffice_running_here() is False:
            return (
                f" LibreOffice is not running on this computer, so the lock file is probably "
                f"stale (left by a crash): delete {owner.path} and run the command again."
            )
        return (
            f" If LibreOffice is no longer running{f' on {owner.host}' if owner.host else ''}, "
            f"the lock file is stale (left by a crash): delete {owner.path} and run the "
            "command again."
        )
    return (
        f" If Excel is no longer running (it may have crashed), the owner file is stale: "
        f"delete {owner.path} and run the command again."
    )


def refuse_if_open(path: str | Path, doing: str) -> None:
    """``WorkbookOpenElsewhere`` when an application has ``path`` open; ``doing`` is the
    command ("check", "push", "pull", "refresh")."""
    owners = owner_files(path)
    if not owners:
        return
    owner = owners[0]
    who = owner.who()
    p = Path(path)
    ribbon = " (or use the Demand Review ribbon on the open workbook)"
    raise WorkbookOpenElsewhere(
        f"{p.name} is open in {owner.application}{f' ({who})' if who else ''}: "
        f"{owner.path.name} is beside it in {p.parent}. Writing it now would lose either "
        f"your changes in {owner.application} or this command's. Save and close it in "
        f"{owner.application}, then run {doing} again"
        f"{ribbon if owner.application == 'Excel' else ''}. Nothing was sent or written."
        f"{_stale_hint(owner)}"
    )


# ---------------------------------------------------------------- another demandgrid command


def lock_path(path: str | Path) -> Path:
    p = Path(path)
    return p.with_name(f".{p.name}{LOCK_SUFFIX}")


def _try_lock(fh: IO[str]) -> bool:
    if os.name == "nt":  # pragma: no cover - Windows
        import msvcrt

        try:
            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(fh: IO[str]) -> None:
    if os.name == "nt":  # pragma: no cover - Windows
        import msvcrt

        with contextlib.suppress(OSError):
            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        return
    import fcntl

    fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _same_file(fh: IO[str], path: Path) -> bool:
    """The locked handle is still the file at ``path`` (not one a finishing holder removed)."""
    try:
        return os.path.samestat(os.fstat(fh.fileno()), os.stat(path))
    except OSError:
        return False


def _holder(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""


@contextlib.contextmanager
def hold(path: str | Path, doing: str, *, wait: float | None = None) -> Iterator[None]:
    """Hold ``path``'s demandgrid lock for the block; see the module docstring.

    ``doing`` names the command for the other process's message ("push")."""
    p = Path(path)
    sidecar = lock_path(p)
    deadline = time.monotonic() + (WAIT_SECONDS if wait is None else wait)
    while True:
        try:
            fh = open(sidecar, "a+", encoding="utf-8")  # noqa: SIM115 - held across the yield
        except OSError:
            # A missing or read-only folder cannot hold a lock file; nothing can be written
            # there either, and the command says so. Two readers cannot corrupt anything.
            yield
            return
        if _try_lock(fh):
            if _same_file(fh, sidecar):
                break
            fh.close()  # the previous holder removed it as we opened it: take the new one
            continue
        fh.close()
        if time.monotonic() >= deadline:
            holder = _holder(sidecar)
            raise WorkbookBusy(
                f"Another demandgrid command is working on {p.name} in {p.parent}"
                f"{f' ({holder})' if holder else ''}. Wait for it to finish, then run {doing} "
                "again. Nothing was sent or written."
            )
        time.sleep(0.1)
    try:
        fh.seek(0)
        fh.truncate()
        fh.write(f"{doing} by process {os.getpid()} on {socket.gethostname()}")
        fh.flush()
    except OSError:
        pass  # the lock holds without its note (e.g. a full disk)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            sidecar.unlink()  # before unlocking: a waiter then re-opens a fresh file
        _unlock(fh)
        fh.close()
