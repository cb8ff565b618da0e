"""Open a workbook in LibreOffice, recalculate every formula, save it as .xlsx.

usage: /usr/bin/python3 tests/uno/recalc.py IN.xlsx OUT.xlsx
"""

import sys

from lo_uno import load, office, save_xlsx

with office() as desktop:
    doc = load(desktop, sys.argv[1])
    doc.calculateAll()
    save_xlsx(doc, sys.argv[2])
    doc.close(True)
