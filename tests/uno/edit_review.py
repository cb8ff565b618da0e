"""Edit a pulled review workbook in LibreOffice as a rep would, then save it as .xlsx.

usage: /usr/bin/python3 tests/uno/edit_review.py IN.xlsx OUT.xlsx EDITS.json

EDITS.json: {"values": {"Review!H13": 150}, "texts": {"Review!G13": "why"},
             "annotations": {"Review!I13": "cell note"}, "formulas": {"Review!G14": "=1+1"},
             "clear": ["Review!H14"]}
Values are typed as numbers, texts as strings (like typing into the cell), annotations are
LibreOffice cell comments, formulas are typed formulas, cleared cells are emptied (Delete).
Prints the cells it changed.
"""

import json
import sys

from lo_uno import load, office, save_xlsx


def cell_of(doc, ref):
    sheet_name, address = ref.rsplit("!", 1)
    sheet = doc.Sheets.getByName(sheet_name)
    return sheet, sheet.getCellRangeByName(address)


def apply_edits(doc, edits):
    """Apply ``edits`` (see the module docstring) to an open document; returns what it did."""
    done = []
    for ref, value in edits.get("values", {}).items():
        cell_of(doc, ref)[1].setValue(float(value))
        done.append(f"value {ref} {value}")
    for ref, text in edits.get("texts", {}).items():
        cell_of(doc, ref)[1].setString(text)
        done.append(f"text {ref}")
    for ref, formula in edits.get("formulas", {}).items():
        cell_of(doc, ref)[1].setFormula(formula)
        done.append(f"formula {ref}")
    for ref in edits.get("clear", []):
        cell_of(doc, ref)[1].clearContents(1 | 2 | 4 | 16)  # VALUE DATETIME STRING FORMULA
        done.append(f"clear {ref}")
    for ref, text in edits.get("annotations", {}).items():
        sheet, cell = cell_of(doc, ref)
        sheet.getAnnotations().insertNew(cell.getCellAddress(), text)
        done.append(f"annotation {ref}")
    return done


def main(src, out, edits_path):
    with open(edits_path, encoding="utf-8") as fh:
        edits = json.load(fh)
    with office() as desktop:
        doc = load(desktop, src)
        for line in apply_edits(doc, edits):
            print(line)
        doc.calculateAll()
        save_xlsx(doc, out)
        doc.close(True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
