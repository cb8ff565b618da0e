"""The workbook file is never clobbered: by a pull over unpushed work, under an application
that has it open, by two processes at once, by a save that loses an .xlsm's macros, or by a
disk that fills up after the org was written.

Real processes where it matters: LibreOffice (through UNO, so its own ``.~lock`` file exists)
and two demandgrid processes on one workbook. The refusals themselves are catalogued in
``test_bad_files.py``.
"""

from __future__ import annotations

import errno
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest_checkpush import ReviewFile, pull_review_file
from conftest_push import snapshot
from libreoffice import SYSTEM_PYTHON, UNO_DIR
from typer.testing import CliRunner

from addin.book import lock as workbook_lock
from addin.book.atomic import temporary_beside
from addin.book.errors import WorkbookOpenElsewhere
from addin.book.xlsx import XlsxBook
from addin.check.file import check_file
from addin.cli.main import app
from addin.push.file import PushedButNotSaved, push_file
from addin.review import layout
from addin.review.pull import pull_review
from addin.review.readback import read_workbook
from addin.xlam.vbaproject import VbaModule, write_vba_project
from sync.localorg import LocalOrg
from sync.localorg.demo.org import DEMO_REP
from sync.push.journal import journal_path

ROOT = Path(__file__).resolve().parent.parent
XLSM_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


@pytest.fixture
def local(demo_org_file: Path, tmp_path: Path) -> tuple[Path, ReviewFile]:
    """(org file, workbook) fresh for one test; the workbook points at this test's org."""
    org_path = tmp_path / "org.sqlite"
    shutil.copyfile(demo_org_file, org_path)
    review = ReviewFile(pull_review_file(LocalOrg(org_path), tmp_path / "review.xlsx"))
    return org_path, review


def noted_edit(review: ReviewFile, value: float = 4242, *, cells: int = 1) -> str:
    """Change the first ``cells`` open cells (``value``, ``value + 1`` ...), each row noted."""
    values: dict[str, Any] = {}
    for n, (block, cell) in enumerate(review.open_cells[:cells]):
        row = review.adjusted_rows[block]
        values[cell] = value + n
        values[f"{review.columns[layout.H_NOTE]}{row}"] = "Agreed with buyer"
        values[f"{review.columns[layout.H_REASON]}{row}"] = "Promotion"
    review.edit(values)
    return review.open_cells[0][1]


def cli(*args: Any) -> tuple[int, str]:
    result = CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "250"})
    text = result.output
    try:
        text += result.stderr
    except ValueError:
        pass
    assert "Traceback" not in text
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, text


# ---------------------------------------------------------------- pull over unpushed work


@pytest.mark.slow
def test_pull_over_unpushed_changes_lists_them_and_force_keeps_a_copy(
    local: tuple[Path, ReviewFile],
) -> None:
    org_path, review = local
    noted_edit(review, 1000, cells=12)  # more than the message lists
    out = review.path
    old = out.read_bytes()

    code, text = cli("pull", "--rep", DEMO_REP, "--org", org_path, "--horizon", 6,
                     "--history", 1, "-o", out)  # fmt: skip
    flat = " ".join(text.split())
    assert code == 2
    assert "12 changed cell(s) not pushed yet" in flat and "... and 2 more" in flat
    assert len(set(re.findall(r"Review!\w+\d+", flat))) == 10 and "-> now 1,000" in flat
    assert "--force" in flat and out.read_bytes() == old

    code, text = cli("pull", "--rep", DEMO_REP, "--org", org_path, "--horizon", 6,
                     "--history", 1, "-o", out, "--force")  # fmt: skip
    assert code == 0, text
    kept = re.search(r"Kept the previous file as (\S+\.xlsx)", " ".join(text.split()))
    assert kept is not None
    copy = Path(kept.group(1))
    assert re.fullmatch(r"review\.\d{8}T\d{6}\.xlsx", copy.name)
    assert copy.read_bytes() == old
    assert read_workbook(XlsxBook.open(out)).edits == []
    assert len(read_workbook(XlsxBook.open(copy)).edits) == 12


def test_pull_over_a_clean_workbook_replaces_it_without_a_copy(
    local: tuple[Path, ReviewFile],
) -> None:
    org_path, review = local
    pulled = pull_review(LocalOrg(org_path), DEMO_REP, review.path, horizon=6, history=1)
    assert pulled.kept is None
    assert sorted(p.name for p in review.path.parent.glob("review*")) == ["review.xlsx"]


@pytest.mark.slow
def test_demo_over_unpushed_changes_is_refused_and_force_keeps_a_copy(
    demo_org_file: Path, tmp_path: Path
) -> None:
    directory = tmp_path / "demo"
    directory.mkdir()
    shutil.copyfile(demo_org_file, directory / "org.sqlite")
    assert cli("demo", "--dir", directory)[0] == 0
    (book,) = directory.glob("*-review.xlsx")
    noted_edit(ReviewFile(book))
    old = book.read_bytes()
    code, text = cli("demo", "--dir", directory)
    assert code == 2 and "not pushed yet" in text and "--force" in text
    assert book.read_bytes() == old
    code, text = cli("demo", "--dir", directory, "--force")
    assert code == 0 and "Kept the previous file as" in text
    (copy,) = (p for p in directory.glob("*.xlsx") if p != book)
    assert copy.read_bytes() == old


# ---------------------------------------------------------------- open in LibreOffice


@pytest.mark.libreoffice
@pytest.mark.slow
def test_a_workbook_open_in_libreoffice_is_refused_until_it_is_closed(
    local: tuple[Path, ReviewFile],
) -> None:
    org_path, review = local
    noted_edit(review)
    path = review.path
    before, old = snapshot(LocalOrg(org_path)), path.read_bytes()
    office = subprocess.Popen(
        [SYSTEM_PYTHON, str(UNO_DIR / "hold_open.py"), str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=UNO_DIR,
    )
    try:
        assert office.stdout is not None
        state, lock = office.stdout.readline().split(maxsplit=1)
        assert state == "open" and Path(lock.strip()) == path.with_name(f".~lock.{path.name}#")
        for run in (
            lambda: check_file(path),
            lambda: push_file(path),
            lambda: pull_review(LocalOrg(org_path), DEMO_REP, path, horizon=6, history=1),
        ):
            with pytest.raises(WorkbookOpenElsewhere) as caught:
                run()
            message = str(caught.value)
            assert "open in LibreOffice" in message and "close it in LibreOffice" in message
            assert "Nothing was sent or written" in message
        code, text = cli("push", path)
        assert code == 2 and "open in LibreOffice" in text
        assert path.read_bytes() == old and snapshot(LocalOrg(org_path)) == before
        assert not journal_path(path).exists()
    finally:
        assert office.stdin is not None
        office.stdin.close()
        office.wait(timeout=120)
    assert not path.with_name(f".~lock.{path.name}#").exists()
    assert check_file(path).ok  # closed: the command runs


# ---------------------------------------------------------------- two processes


def _in_other_process(code: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def test_a_second_process_waits_for_the_first(local: tuple[Path, ReviewFile]) -> None:
    _, review = local
    noted_edit(review)
    done = review.path.with_name("holder-done")
    holder = _in_other_process(
        "import pathlib, time; from addin.book.lock import hold\n"
        f"with hold({str(review.path)!r}, 'push'):\n"
        "    print('held', flush=True); time.sleep(1.5)\n"
        f"    pathlib.Path({str(done)!r}).touch()\n"
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    report = check_file(review.path)  # waits (up to WAIT_SECONDS) for the holder, then runs
    assert holder.wait(timeout=30) == 0
    assert report.ok
    assert review.path.stat().st_mtime_ns >= done.stat().st_mtime_ns  # saved after the holder


@pytest.mark.slow
def test_two_real_processes_checking_one_workbook_take_turns(
    local: tuple[Path, ReviewFile],
) -> None:
    _, review = local
    noted_edit(review)
    code = (
        "import sys; from addin.book import lock as workbook_lock; from addin.check.file import check_file\n"
        "workbook_lock.WAIT_SECONDS = 120\n"
        "sys.stdin.read()\n"
        f"print(check_file({str(review.path)!r}).ok)\n"
    )
    both = [_in_other_process(code) for _ in range(2)]
    for proc in both:  # start them together
        assert proc.stdin is not None
        proc.stdin.close()
    outs = [(proc.stdout.read(), proc.stderr.read()) for proc in both]  # type: ignore[union-attr]
    assert [proc.wait(timeout=300) for proc in both] == [0, 0], outs
    assert [o[0].strip() for o in outs] == ["True", "True"]
    assert read_workbook(XlsxBook.open(review.path)).changes  # whole and readable
    leftovers = [p.name for p in review.path.parent.iterdir() if ".tmp" in p.name]
    assert leftovers == [] and not review.path.with_name(".review.xlsx.demandgrid-lock").exists()


def test_temporary_files_are_unique_and_cleaned_up(review: ReviewFile) -> None:
    a, b = temporary_beside(review.path), temporary_beside(review.path)
    assert a != b and a.parent == b.parent == review.path.parent
    a.unlink()
    b.unlink()
    book = XlsxBook.open(review.path)
    book.save()
    book.save()
    assert sorted(p.name for p in review.path.parent.iterdir()) == [
        "review.prev.xlsx",
        "review.xlsx",
    ]


# ---------------------------------------------------------------- .xlsm keeps its macros


def as_xlsm(src: Path, out: Path) -> Path:
    """``src`` saved as a macro-enabled workbook, as Excel's Save As .xlsm does."""
    vba = write_vba_project(
        [VbaModule("Module1", 'Attribute VB_Name = "Module1"\nSub Hi()\nEnd Sub\n')]
    )
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(XLSX_TYPE.encode(), XLSM_TYPE.encode()).replace(
                    b"<Override",
                    b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
                    b"<Override",
                    1,
                )
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/'
                    b'relationships/vbaProject" Target="vbaProject.bin"/></Relationships>',
                )
            zout.writestr(item, data)
        zout.writestr("xl/vbaProject.bin", vba)
    return out


def macro_shaped(path: Path) -> bool:
    with zipfile.ZipFile(path) as z:
        types = z.read("[Content_Types].xml").decode()
        return "xl/vbaProject.bin" in z.namelist() and XLSM_TYPE in types and XLSX_TYPE not in types


def test_an_xlsm_keeps_its_macros_through_check_and_push(local: tuple[Path, ReviewFile]) -> None:
    org_path, review = local
    noted_edit(review)
    xlsm = as_xlsm(review.path, review.path.with_suffix(".xlsm"))
    review.path.unlink()
    vba = zipfile.ZipFile(xlsm).read("xl/vbaProject.bin")
    assert macro_shaped(xlsm)

    assert check_file(xlsm).ok
    assert macro_shaped(xlsm)
    prev = xlsm.with_name("review.prev.xlsm")
    assert macro_shaped(prev)

    outcome = push_file(xlsm)
    assert outcome.receipt is not None and outcome.moved == 1
    assert macro_shaped(xlsm) and macro_shaped(prev)
    assert zipfile.ZipFile(xlsm).read("xl/vbaProject.bin") == vba
    assert read_workbook(XlsxBook.open(xlsm)).changes == []  # the receipt is in the workbook
    openpyxl.load_workbook(xlsm, keep_vba=True)  # still a workbook openpyxl (and Excel) opens


# ---------------------------------------------------------------- a full disk after the org


def test_a_full_disk_after_the_org_was_written_says_what_landed_and_push_again_records_it(
    local: tuple[Path, ReviewFile], monkeypatch: pytest.MonkeyPatch
) -> None:
    org_path, review = local
    cell = noted_edit(review)
    old = review.path.read_bytes()
    before = snapshot(LocalOrg(org_path))

    def full(self: Any, filename: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as mp:
        mp.setattr(openpyxl.Workbook, "save", full)
        mp.setattr(XlsxBook, "_save_spliced", full)  # a save keeping the grid as the file's XML
        with pytest.raises(PushedButNotSaved) as caught:
            push_file(review.path)
    message = str(caught.value)
    journal = journal_path(review.path)
    assert "The org has your changes (push " in message and "written 1" in message
    assert "could not be saved afterwards: the disk is full" in message
    assert f"the receipt is in {journal}" in message and "run push again" in message
    assert review.path.read_bytes() == old  # the workbook as it was
    landed = snapshot(LocalOrg(org_path))
    assert landed != before
    assert [v for k, v in landed.items() if before[k] != v][0][0] == 4242

    outcome = push_file(review.path)  # space again: the push records what the org has
    assert snapshot(LocalOrg(org_path)) == landed  # nothing applied twice
    assert outcome.changed == 0  # recorded from the journal, nothing left to send
    assert "Reconciled from the journal: 1 cell(s)" in outcome.summary()
    reviewed = read_workbook(XlsxBook.open(review.path))
    assert reviewed.changes == []
    assert cell not in {e.cell for e in reviewed.edits}


def test_the_cli_says_it_too(
    local: tuple[Path, ReviewFile], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, review = local
    noted_edit(review)

    def full(self: Any, filename: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(openpyxl.Workbook, "save", full)
    monkeypatch.setattr(XlsxBook, "_save_spliced", full)
    code, text = cli("push", review.path)
    assert code == 2 and "The org has your changes" in " ".join(text.split())


def test_a_killed_command_leaves_no_lock_behind(local: tuple[Path, ReviewFile]) -> None:
    _, review = local
    holder = _in_other_process(
        "import time; from addin.book.lock import hold\n"
        f"with hold({str(review.path)!r}, 'push'):\n"
        "    print('held', flush=True); time.sleep(600)\n"
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    holder.kill()  # SIGKILL: no cleanup runs, the lock file stays
    holder.wait(timeout=30)
    assert review.path.with_name(".review.xlsx.demandgrid-lock").exists()
    with workbook_lock.hold(review.path, "check", wait=0):  # the OS released the lock
        pass


def test_owner_files_of_both_applications_are_recognised(tmp_path: Path) -> None:
    book = tmp_path / "longreview.xlsx"
    assert workbook_lock.owner_files(book) == []
    (tmp_path / "~$ngreview.xlsx").write_bytes(b"\x04Dana" + b" " * 50)
    (tmp_path / ".~lock.longreview.xlsx#").write_text(",dana,vm,01.12.2026 04:15,file:///p;")
    found = workbook_lock.owner_files(book)
    assert [(o.application, o.user) for o in found] == [("Excel", "Dana"), ("LibreOffice", "dana")]
    assert found[1].host == "vm" and found[1].since == "01.12.2026 04:15"
    assert workbook_lock.owner_files(tmp_path / "other.xlsx") == []


def test_checking_a_missing_file_creates_nothing(tmp_path: Path) -> None:
    from addin.book.errors import WorkbookNotOurs

    with pytest.raises(WorkbookNotOurs, match="No workbook at"):
        check_file(tmp_path / "absent" / "review.xlsx")
    assert list(tmp_path.iterdir()) == []
