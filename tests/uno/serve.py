"""One headless LibreOffice for a whole test session: edit, save and read workbooks on request.

usage: /usr/bin/python3 tests/uno/serve.py     (driven by ``tests/libreoffice.py``'s ``Office``)

Reads one JSON request per line on stdin, answers one JSON line on stdout:
  {"op": "edit", "src": IN, "out": OUT, "edits": {...}}   edits as in ``edit_review.py``
  {"op": "read", "src": IN, "cells": ["Review!G2", ...]}  recalculated values, strings, formulas
  {"op": "render", "src": IN, "out": OUT.pdf, "range": "Review!H13:H14"}
      that range alone (its sheet's print area; the other sheets removed) as a PDF page
  {"op": "pdf", "src": IN, "out": OUT.pdf}   every visible sheet, recalculated, as printed
  {"op": "quit"}
Answers: {"ok": true, "result": ...} or {"ok": false, "error": "..."}. Starting soffice once
takes seconds; each request then only loads and stores its workbook.
"""

import json
import sys
import traceback

from edit_review import apply_edits, cell_of
from lo_uno import load, office, props, save_xlsx, url


def read_cells(doc, refs):
    out = {}
    for ref in refs:
        cell = cell_of(doc, ref)[1]
        out[ref] = {
            "value": cell.getValue(),
            "string": cell.getString(),
            "formula": cell.getFormula(),
        }
    return out


def render(doc, ref, out):
    """``ref`` (``Sheet!A1:B2``) drawn as LibreOffice draws it, conditional formats included."""
    sheet_name, address = ref.rsplit("!", 1)
    sheets = doc.Sheets
    for name in list(sheets.ElementNames):
        if name != sheet_name:
            sheets.removeByName(name)
    sheet = sheets.getByName(sheet_name)
    sheet.setPrintAreas((sheet.getCellRangeByName(address).getRangeAddress(),))
    doc.storeToURL(url(out), props(FilterName="calc_pdf_Export"))
    return out


def serve(desktop, requests, answer):
    for line in requests:
        if not line.strip():
            continue
        request = json.loads(line)
        op = request.get("op")
        if op == "quit":
            answer({"ok": True, "result": "bye"})
            return
        try:
            doc = load(desktop, request["src"])
            if doc is None:  # e.g. a stale .~lock file from a killed run
                raise RuntimeError(f"LibreOffice could not open {request['src']}")
            try:
                if op == "edit":
                    result = apply_edits(doc, request.get("edits", {}))
                    doc.calculateAll()
                    save_xlsx(doc, request["out"])
                elif op == "render":
                    doc.calculateAll()
                    result = render(doc, request["range"], request["out"])
                elif op == "pdf":
                    doc.calculateAll()
                    doc.storeToURL(url(request["out"]), props(FilterName="calc_pdf_Export"))
                    result = request["out"]
                elif op == "read":
                    doc.calculateAll()
                    result = read_cells(doc, request["cells"])
                else:
                    raise ValueError(f"unknown op {op!r}")
            finally:
                doc.close(True)
            answer({"ok": True, "result": result})
        except Exception:
            answer({"ok": False, "error": traceback.format_exc()})


def main():
    def answer(message):
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()

    with office() as desktop:
        answer({"ok": True, "result": "ready"})
        serve(desktop, sys.stdin, answer)


if __name__ == "__main__":
    main()
