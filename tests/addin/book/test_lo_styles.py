"""Workbooks whose named styles are numbered as LibreOffice saves them (unnamed cell-style
formats first): every command opens, marks, clears and saves them, run after run, without an
``IndexError``, and the cells keep their named styles. No soffice needed: the renumbering is
done on the file's styles part; ``test_libreoffice_loop`` does the same with LibreOffice."""

from __future__ import annotations

import re
import shutil
import zipfile
from collections import Counter
from pathlib import Path

from conftest_checkpush import ReviewFile, write_small_review

from addin.book.styles import style_id_map
from addin.book.xlsx import XlsxBook
from addin.check.rules import check
from addin.check.sheet import clear_marks, write_check_sheet
from addin.review import layout
from addin.review.readback import read_workbook

UNNAMED = 3  # LibreOffice writes 14 for a fresh workbook; any number will do


def renumber_like_libreoffice(src: Path, out: Path) -> Path:
    """``src`` with ``UNNAMED`` unnamed cellStyleXfs in front and every xfId shifted past them."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/styles.xml":
                text = data.decode()
                head, rest = text.split("<cellStyleXfs", 1)
                xfs, tail = rest.split("</cellStyleXfs>", 1)
                count = int(re.search(r'count="(\d+)"', xfs).group(1))
                body = xfs.split(">", 1)[1]
                first = re.match(r"\s*(<xf\b[^>]*?(/>|>.*?</xf>))", body, re.S).group(1)
                xfs = f' count="{count + UNNAMED}">' + first * UNNAMED + body
                tail = re.sub(
                    r'xfId="(\d+)"', lambda m: f'xfId="{int(m.group(1)) + UNNAMED}"', tail
                )
                text = head + "<cellStyleXfs" + xfs + "</cellStyleXfs>" + tail
                # The default style stays at 0, as LibreOffice writes it.
                text = text.replace(f'name="Normal" xfId="{UNNAMED}"', 'name="Normal" xfId="0"')
                data = text.encode()
            zout.writestr(item, data)
    return out


def _styles(path: Path) -> Counter:
    ws = XlsxBook.open(path)._wb[layout.REVIEW]
    return Counter(c.style for c in ws._cells.values())


def test_libreoffice_style_numbering_is_read_check_marks_and_saves(tmp_path: Path) -> None:
    ours = ReviewFile(write_small_review(tmp_path / "ours.xlsx"))
    path = renumber_like_libreoffice(ours.path, tmp_path / "lo.xlsx")
    assert style_id_map(path) is not None and style_id_map(ours.path) is None
    expected = _styles(ours.path)
    assert _styles(path) == expected

    book = XlsxBook.open(path)  # (openpyxl alone would save it with its styles crossed)
    book.write(layout.REVIEW, ours.cell(0, 0), [["ten"]])
    book.write(layout.REVIEW, ours.cell(1, 1), [[-4]])
    book.save()
    for _ in range(3):  # check, check again (clears the previous marks), ...
        book = XlsxBook.open(path)
        reviewed = read_workbook(book)
        write_check_sheet(book, check(reviewed), reviewed.sheet)
        book.save()
    book = XlsxBook.open(path)
    clear_marks(book)  # ... what a push does first
    book.save()
    assert _styles(path) == expected
    assert style_id_map(path) is None  # saved the way openpyxl and Excel number them
    shutil.copyfile(path, tmp_path / "again.xlsx")
    assert len(read_workbook(XlsxBook.open(tmp_path / "again.xlsx")).edits) == 2
