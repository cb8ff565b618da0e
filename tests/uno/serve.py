"""One headless LibreOffice for a whole test session: edit, save and read workbooks on request.

usage: /usr/bin/python3 tests/uno/serve.py     (driven by ``tests/libreoffice.py``'s ``Office``)

Reads one JSON request per line on stdin, answers one JSON line on stdout:
  {"op": "edit", "src": IN, "out": OUT, "edits": {...}}   edits as in ``edit_review.py``
  {"op": "read", "src": IN, "cells": ["Review!G2", ...]}  recalculated values, strings, formulas
  {"op": "quit"}
Answers: {"ok": true, "result": ...} or {"ok": false, "error": "..."}. Starting soffice once
takes seconds; each request then only loads and stores its workbook.
"""

import json
import sys
import traceback

from edit_review import apply_edits, cell_of
from lo_uno import load, office, save_xlsx


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
            try:
                if op == "edit":
                    result = apply_edits(doc, request.get("edits", {}))
                    doc.calculateAll()
                    save_xlsx(doc, request["out"])
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
