"""Open a workbook with LibreOffice and print its Basic (VBA) modules as JSON.

usage: /usr/bin/python3 tests/uno/list_modules.py BOOK.xlam
prints: {"libraries": {"<library>": {"<module>": "<source>", ...}, ...}, "sheets": [...]}
LibreOffice imports the VBA project of an OOXML workbook into the document's Basic libraries;
macros are never run (MacroExecutionMode NEVER_EXECUTE).
"""

import json
import sys

from lo_uno import office, props, url

# Type detection does not recognise the add-in content type, so name the filter; 0 is
# MacroExecutionMode NEVER_EXECUTE.
FILTER = "Calc MS Excel 2007 VBA XML"

with office() as desktop:
    doc = desktop.loadComponentFromURL(
        url(sys.argv[1]), "_blank", 0, props(Hidden=True, MacroExecutionMode=0, FilterName=FILTER)
    )
    libraries = doc.BasicLibraries
    out = {"libraries": {}, "sheets": list(doc.Sheets.ElementNames)}
    for name in libraries.ElementNames:
        libraries.loadLibrary(name)
        library = libraries.getByName(name)
        out["libraries"][name] = {m: library.getByName(m) for m in library.ElementNames}
    doc.close(True)
print(json.dumps(out))
