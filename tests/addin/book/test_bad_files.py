"""A catalogue of bad files, folders and orgs: each command is refused with a message that says
what happened, where, and what to do; nothing is sent to the org and the workbook's bytes are
unchanged (no temporary file is left beside it either).

The companion of ``test_bad_workbooks.py`` (bad workbook *content*): here the content is fine
and the trouble is around it. A workbook open in Excel or LibreOffice (their owner files), a
second demandgrid process holding the workbook, a pull onto unpushed work or onto a file that
is not ours, a read-only folder or a full disk, a local org locked by another process.
Another process is a real process (``subprocess``); the waits are shortened for the test.
"""

from __future__ import annotations

import errno
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest_checkpush import ReviewFile, pull_review_file
from conftest_push import snapshot

from addin.book import atomic
from addin.book import lock as workbook_lock
from addin.book.errors import UserError
from addin.book.xlsx import XlsxBook
from addin.check.file import check_file
from addin.push.file import push_file
from addin.review import layout
from addin.review.file import refresh_file
from addin.review.pull import pull_review
from addin.review.writer import FilledWorkbook
from sync.localorg import LocalOrg, store
from sync.localorg.demo.org import DEMO_REP
from sync.org.seam import OrgError
from sync.push.journal import journal_path

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, demo_org_file: Path) -> dict[str, Any]:
    """The org file, a clean pulled workbook and one with a change ready to push: built once."""
    folder = tmp_path_factory.mktemp("bad-files")
    org_path = folder / "org.sqlite"
    shutil.copyfile(demo_org_file, org_path)
    org = LocalOrg(org_path)
    clean = pull_review_file(org, folder / "clean.xlsx")
    edited = folder / "edited.xlsx"
    shutil.copyfile(clean, edited)
    review = ReviewFile(edited)
    cell = review.open_cell()
    block = review.block_of(cell)
    review.edit(
        {
            cell: 4242,
            review.row_cell(layout.H_NOTE, block): "Agreed with buyer",
            review.row_cell(layout.H_REASON, block): "Promotion",
        }
    )
    return {"org": org_path, "clean": clean, "edited": edited, "before": snapshot(org)}


# ---------------------------------------------------------------- other processes


def hold_in_other_process(path: Path) -> subprocess.Popen[str]:
    """A second, real process holding ``path``'s demandgrid lock until its stdin closes."""
    code = (
        "import sys; from addin.book.lock import hold\n"
        f"with hold({str(path)!r}, 'push'):\n"
        "    print('held', flush=True); sys.stdin.read()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def lock_org_in_other_process(org_path: Path) -> subprocess.Popen[str]:
    """A second, real process holding an exclusive transaction on the org file."""
    code = (
        "import sqlite3, sys\n"
        f"conn = sqlite3.connect({str(org_path)!r}, isolation_level=None)\n"
        "conn.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); sys.stdin.read()\n"
        "conn.execute('ROLLBACK')\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def release(proc: subprocess.Popen[str]) -> None:
    assert proc.stdin is not None
    proc.stdin.close()
    proc.wait(timeout=30)


# ---------------------------------------------------------------- setups

Setup = Callable[[Path, dict[str, Any], pytest.MonkeyPatch], "subprocess.Popen[str] | None"]


def excel_owner(path: Path, base: dict[str, Any], mp: pytest.MonkeyPatch) -> None:
    user = b"Dana Rep"
    path.with_name(f"~${path.name}").write_bytes(bytes([len(user)]) + user + b" " * 46)


def libreoffice_owner(host: str) -> Setup:
    def setup(path: Path, base: dict[str, Any], mp: pytest.MonkeyPatch) -> None:
        line = f"Dana Rep,dana,{host},01.12.2026 09:30,file:///home/dana/.config/libreoffice/4;"
        path.with_name(f".~lock.{path.name}#").write_text(line, encoding="utf-8")

    return setup


def held_by_other_process(path: Path, base: dict[str, Any], mp: pytest.MonkeyPatch) -> Any:
    mp.setattr(workbook_lock, "WAIT_SECONDS", 0.3)
    return hold_in_other_process(path)


def org_locked(path: Path, base: dict[str, Any], mp: pytest.MonkeyPatch) -> Any:
    mp.setattr(store, "BUSY_SECONDS", 0.3)
    return lock_org_in_other_process(base["org"])


def unpushed(path: Path, base: dict[str, Any], mp: pytest.MonkeyPatch) -> None:
    shutil.copyfile(base["edited"], path)


def text_file(path: Path, base: dict[str, Any], mp: pytest.MonkeyPatch) -> None:
    path.write_text("Account,Jan\nAcme,10\n")


def plain_workbook(path: Path, base: dict[str, Any], mp: pytest.MonkeyPatch) -> None:
    openpyxl.Workbook().save(path)


def read_only_folder(path: Path, base: dict[str, Any], mp: pytest.MonkeyPatch) -> None:
    # Tests run as root, whom chmod does not stop: refuse as a read-only mount would.
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.EROFS, "Read-only file system")

    mp.setattr(atomic.tempfile, "mkstemp", refuse)


def disk_full(path: Path, base: dict[str, Any], mp: pytest.MonkeyPatch) -> None:
    def full(self: Any, filename: Any) -> None:
        Path(filename).write_bytes(b"PK\x03\x04 half a workbook")
        raise OSError(errno.ENOSPC, "No space left on device")

    mp.setattr(openpyxl.Workbook, "save", full)
    mp.setattr(FilledWorkbook, "save", full)  # the pull's streamed writer
    mp.setattr(XlsxBook, "_save_spliced", full)  # a save keeping the grid as the file's XML


def no_space_left(path: Path, base: dict[str, Any], mp: pytest.MonkeyPatch) -> None:
    mp.setattr(atomic.shutil, "disk_usage", lambda _folder: shutil._ntuple_diskusage(10, 10, 0))  # type: ignore[attr-defined]


def journal_disk_full(path: Path, base: dict[str, Any], mp: pytest.MonkeyPatch) -> None:
    from sync.push.journal import Journal

    def full(self: Any, *args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(self.path))

    mp.setattr(Journal, "append", full)


# ---------------------------------------------------------------- commands


def check(path: Path, base: dict[str, Any]) -> None:
    check_file(path)


def push(path: Path, base: dict[str, Any]) -> None:
    push_file(path)


def pull(path: Path, base: dict[str, Any]) -> None:
    pull_review(LocalOrg(base["org"]), DEMO_REP, path, horizon=6, history=1)


def refresh(path: Path, base: dict[str, Any]) -> None:
    refresh_file(path)


Command = Callable[[Path, dict[str, Any]], None]
HERE = socket.gethostname()

#: (name, command, starting file: "clean" | "edited" | None, setup, error, fragments)
Refusal = type[Exception] | tuple[type[Exception], ...]
CASES: list[tuple[str, Command, str | None, Setup, Refusal, list[str]]] = [
    # ---- open in Excel or LibreOffice: refused before anything is sent or written
    ("check while open in Excel", check, "edited", excel_owner, UserError,
     ["review.xlsx is open in Excel (by Dana Rep)", "~$review.xlsx", "close it in Excel",
      "run check again", "stale", "delete"]),
    ("push while open in Excel", push, "edited", excel_owner, UserError,
     ["open in Excel", "close it in Excel", "run push again", "Nothing was sent"]),
    ("pull onto a workbook open in Excel", pull, "clean", excel_owner, UserError,
     ["open in Excel", "close it in Excel", "run pull again"]),
    ("refresh while open in Excel", refresh, "clean", excel_owner, UserError,
     ["open in Excel", "close it in Excel", "run refresh again"]),
    ("check while open in LibreOffice elsewhere", check, "edited",
     libreoffice_owner("dana-laptop"), UserError,
     ["open in LibreOffice (by Dana Rep on dana-laptop since 01.12.2026 09:30)",
      ".~lock.review.xlsx#", "close it in LibreOffice", "no longer running on dana-laptop",
      "stale"]),
    ("push with LibreOffice's lock file on this computer", push, "edited",
     libreoffice_owner(HERE), UserError,
     ["open in LibreOffice", "close it in LibreOffice", "stale", ".~lock.review.xlsx#",
      "Nothing was sent"]),
    ("pull onto a workbook open in LibreOffice", pull, "clean", libreoffice_owner(HERE),
     UserError, ["open in LibreOffice", "close it in LibreOffice", "run pull again"]),
    # ---- another demandgrid process on the same workbook
    ("check while another process pushes it", check, "edited", held_by_other_process,
     UserError, ["Another demandgrid command is working on review.xlsx", "push by process",
                 "Wait for it to finish, then run check again"]),
    ("push while another process pushes it", push, "edited", held_by_other_process,
     UserError, ["Another demandgrid command", "review.xlsx", "run push again",
                 "Nothing was sent"]),
    ("pull while another process pushes the file", pull, "clean", held_by_other_process,
     UserError, ["Another demandgrid command", "review.xlsx", "run pull again"]),
    ("refresh while another process pushes it", refresh, "clean", held_by_other_process,
     UserError, ["Another demandgrid command", "run refresh again"]),
    # ---- a pull onto work it would lose
    ("pull onto unpushed changes", pull, None, unpushed, UserError,
     ["review.xlsx in", "1 changed cell(s) not pushed yet", "Review!", "-> now 4,242",
      "demandgrid push", "--force", "kept as review.", "Nothing was written"]),
    ("pull onto a text file", pull, None, text_file, UserError,
     ["not a demandgrid review workbook", "cannot be opened as an .xlsx", "--force",
      "another file"]),
    ("pull onto someone's own workbook", pull, None, plain_workbook, UserError,
     ["not a demandgrid review workbook", "no demandgrid record", "--force"]),
    # ---- the folder or the disk
    ("check in a read-only folder", check, "edited", read_only_folder, UserError,
     ["Could not save review.xlsx", "read-only", "unchanged", "make the folder writable"]),
    ("check on a full disk", check, "edited", disk_full, UserError,
     ["Could not save review.xlsx", "the disk is full", "unchanged", "Free some space"]),
    ("push in a read-only folder", push, "edited", read_only_folder, UserError,
     ["Cannot push review.xlsx", "read-only", "Nothing was sent", "make the folder writable"]),
    ("push with no space left", push, "edited", no_space_left, UserError,
     ["Cannot push review.xlsx", "the disk is full", "Nothing was sent", "Free some space"]),
    ("pull into a read-only folder", pull, "clean", read_only_folder, UserError,
     ["Could not save review.xlsx", "read-only", "unchanged", "make the folder writable"]),
    ("pull onto a full disk", pull, "clean", disk_full, UserError,
     ["Could not save review.xlsx", "the disk is full", "unchanged"]),
    ("refresh on a full disk", refresh, "clean", disk_full, UserError,
     ["Could not save review.xlsx", "the disk is full", "unchanged"]),
    ("push with no space for the journal", push, "edited", journal_disk_full,
     (UserError, OrgError), ["review.xlsx", "Nothing was sent", "Free some space"]),
    # ---- the local org locked by another process
    ("push while the local org is locked", push, "edited", org_locked, OrgError,
     ["The local org", "org.sqlite is locked by another process", "Nothing was written",
      "Wait for the other process to finish"]),
    ("pull while the local org is locked", pull, "clean", org_locked, OrgError,
     ["org.sqlite is locked by another process", "run the command again"]),
    ("refresh while the local org is locked", refresh, "clean", org_locked, OrgError,
     ["org.sqlite is locked by another process"]),
]  # fmt: skip


def _folder(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in path.parent.iterdir() if p.is_file()}


@pytest.mark.parametrize(
    ("name", "command", "start", "setup", "error", "fragments"), CASES, ids=[c[0] for c in CASES]
)
def test_bad_file_is_refused_and_nothing_is_sent_or_written(
    base: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    command: Command,
    start: str | None,
    setup: Setup,
    error: Refusal,
    fragments: list[str],
) -> None:
    path = tmp_path / "review.xlsx"
    if start is not None:
        shutil.copyfile(base[start], path)
    other = None
    try:
        with monkeypatch.context() as mp:
            other = setup(path, base, mp)
            before = _folder(path)
            with pytest.raises(error) as caught:
                command(path, base)
            after = _folder(path)
    finally:
        if other is not None:
            release(other)

    message = str(caught.value)
    missing = [f for f in fragments if f not in message]
    assert not missing, f"{missing} not in: {message}"
    assert "Traceback" not in message
    assert after == before  # the workbook's bytes, and no temporary file left
    assert not journal_path(path).exists()
    assert snapshot(LocalOrg(base["org"])) == base["before"]


def test_the_catalogue_covers_every_command_and_trouble() -> None:
    assert len(CASES) >= 20
    assert {c[1] for c in CASES} == {check, push, pull, refresh}
