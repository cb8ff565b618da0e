"""Edit a pulled review workbook in LibreOffice as a rep would, then save it as .xlsx.

usage: /usr/bin/python3 tests/uno/edit_review.py IN.xlsx OUT.xlsx EDITS.json

EDITS.json: {"values": {"Review!H13": 150}, "texts": {"Review!G13": "why"},
             "annotations": {"Review!I13": "cell note"}}
Values are typed as numbers, texts as strings (like typing into the cell), annotations are
LibreOffice cell comments. Prints the cells it changed.
"""

import json
import sys

from lo_uno import load, office, save_xlsx


def cell_of(doc, ref):
    sheet_name, address = ref.rsplit("!", 1)
    sheet = doc.Sheets.getByName(sheet_name)
    return sheet, sheet.getCellRangeByName(address)


def main(src, out, edits_path):
    with open(edits_path, encoding="utf-8") as fh:
        edits = json.load(fh)
    with office() as desktop:
        doc = load(desktop, src)
        for ref, value in edits.get("values", {}).items():
            cell_of(doc, ref)[1].setValue(float(value))
            print("value", ref, value)
        for ref, text in edits.get("texts", {}).items():
            cell_of(doc, ref)[1].setString(text)
            print("text", ref)
        for ref, text in edits.get("annotations", {}).items():
            sheet, cell = cell_of(doc, ref)
            sheet.getAnnotations().insertNew(cell.getCellAddress(), text)
            print("annotation", ref)
        doc.calculateAll()
        save_xlsx(doc, out)
        doc.close(True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
