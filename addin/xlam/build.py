"""Build the Excel add-in ``demandgrid.xlam`` from the sources in this repo.

Inputs, all text: ``addin/xlam/vba/*.bas`` (the ribbon callbacks), ``addin/xlam/vba/customUI.xml`` (the
Demand Review tab), and xlwings's own RunPython module (``xlwings_custom_addin.bas``) and its
Mac dictionary class, read from the **installed** xlwings package at build time so the VBA
always matches the Python side's xlwings version. Output: an OOXML add-in package written
directly with ``zipfile`` (fixed timestamps and part order, so the same sources give the same
bytes) holding ``xl/vbaProject.bin`` (``addin.xlam.vbaproject``), the ribbon and a config sheet.

The config sheet ``demandgrid.conf`` follows xlwings's lookup order (sheet in the active
workbook, sheet in the add-in, ``demandgrid.conf`` beside the workbook, then the user's
``~/.demandgrid/demandgrid.conf``): it holds only settings that are the same for every user,
so the interpreter and PYTHONPATH that ``demandgrid addin install`` writes to the user's file
are not shadowed.
"""

from __future__ import annotations

import re
import uuid
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl.writer.theme import theme_xml

from addin.book.errors import UserError
from addin.xlam.vbaproject import ModuleKind, VbaModule, write_vba_project

PROJECT_NAME = "demandgrid"  # xlwings's PROJECT_NAME: names the config sheet and config file
ADDIN_FILE = "demandgrid.xlam"
CONFIG_SHEET = f"{PROJECT_NAME}.conf"
VBA_DIR = Path(__file__).parent / "vba"
VBA_PROJECT_NAME = "DemandGrid"
PROJECT_ID = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "demandgrid/addin")).upper() + "}"

#: Settings in the add-in's config sheet: the same for every user.
ADDIN_SETTINGS = (
    # Never import Python from the folder of whatever workbook is open (a stray addin.py there).
    ("ADD_WORKBOOK_TO_PYTHONPATH", "false"),
    ("SHOW CONSOLE", "false"),
)
CONFIG_NOTE = (
    "INTERPRETER_WIN, INTERPRETER_MAC and PYTHONPATH come from the user's settings file "
    "(%USERPROFILE%\\.demandgrid\\demandgrid.conf on Windows, "
    "~/Library/Containers/com.microsoft.Excel/Data/demandgrid.conf on macOS), written by "
    "`demandgrid addin install`. A row added to the block above "
    "(no blank row between) applies to every user of this add-in."
)

_XLWINGS_PROJECT_CONST = re.compile(r'^(Public Const PROJECT_NAME As String = )"[^"]*"', re.M)
_WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
_SHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"
_CLASS_BASE = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"


class XlwingsVbaMissing(UserError):
    """The installed xlwings package does not ship the VBA sources the add-in is built from."""


# ------------------------------------------------------------------ VBA modules


def _document_module(name: str, base: str) -> VbaModule:
    attributes = [
        f'Attribute VB_Name = "{name}"',
        f'Attribute VB_Base = "{base}"',
        "Attribute VB_GlobalNameSpace = False",
        "Attribute VB_Creatable = False",
        "Attribute VB_PredeclaredId = True",
        "Attribute VB_Exposed = True",
        "Attribute VB_TemplateDerived = False",
        "Attribute VB_Customizable = True",
    ]
    return VbaModule(name, "\n".join(attributes) + "\n", ModuleKind.DOCUMENT)


#: The order Excel stores a class module's attributes in (what it writes for a new class).
CLASS_ATTRIBUTE_ORDER = (
    "VB_Name",
    "VB_Base",
    "VB_GlobalNameSpace",
    "VB_Creatable",
    "VB_PredeclaredId",
    "VB_Exposed",
    "VB_TemplateDerived",
    "VB_Customizable",
)
_ATTRIBUTE = re.compile(r"^Attribute (\w+) = ")


def _class_module(exported: str) -> VbaModule:
    """A class module from its exported ``.cls`` text: the VERSION/BEGIN header becomes
    the attributes a stored class module carries, in Excel's order; any other module-level
    attribute (``VB_Description``) follows them."""
    lines = exported.replace("\r\n", "\n").split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("Attribute VB_Name"))
    end = start
    while end < len(lines) and _ATTRIBUTE.match(lines[end]):
        end += 1
    found = {_ATTRIBUTE.match(line)[1]: line for line in lines[start:end]}  # type: ignore[index]
    found["VB_Base"] = f'Attribute VB_Base = "{_CLASS_BASE}"'
    for extra in ("VB_TemplateDerived", "VB_Customizable"):
        found.setdefault(extra, f"Attribute {extra} = False")
    header = [found.pop(name) for name in CLASS_ATTRIBUTE_ORDER if name in found]
    header += list(found.values())
    name = header[0].split('"')[1]
    return VbaModule(name, "\n".join(header + lines[end:]), ModuleKind.CLASS)


def xlwings_package_dir() -> Path:
    import xlwings

    return Path(xlwings.__file__).parent


def xlwings_modules() -> list[VbaModule]:
    """xlwings's RunPython module for custom add-ins, with our project name, and the
    dictionary class it uses on macOS; both from the installed xlwings package."""
    root = xlwings_package_dir()
    runpython = root / "xlwings_custom_addin.bas"
    dictionary = root / "addin" / "Dictionary.cls"
    for path in (runpython, dictionary):
        if not path.is_file():
            raise XlwingsVbaMissing(
                f"The installed xlwings package has no {path.relative_to(root.parent)}; the "
                "add-in is built from it. Reinstall xlwings (pip install --force-reinstall "
                "xlwings) and build again."
            )
    source, count = _XLWINGS_PROJECT_CONST.subn(
        rf'\g<1>"{PROJECT_NAME}"', runpython.read_text(encoding="utf-8")
    )
    if count != 1:
        raise XlwingsVbaMissing(
            f"{runpython} no longer declares PROJECT_NAME as this build expects; this xlwings "
            "version is not supported by `demandgrid addin build` yet."
        )
    return [
        VbaModule("xlwings", source),
        _class_module(dictionary.read_text(encoding="utf-8")),
    ]


def own_modules() -> list[VbaModule]:
    """The ``.bas`` sources in ``addin/xlam/vba``, in name order."""
    modules = []
    for path in sorted(VBA_DIR.glob("*.bas")):
        source = path.read_text(encoding="utf-8")
        match = re.match(r'Attribute VB_Name = "([^"]+)"', source)
        if not match or match.group(1) != path.stem:
            raise ValueError(f'{path} must start with Attribute VB_Name = "{path.stem}"')
        modules.append(VbaModule(path.stem, source))
    return modules


def addin_modules() -> list[VbaModule]:
    """Every module of the add-in's VBA project, in project order."""
    return [
        _document_module("ThisWorkbook", _WORKBOOK_BASE),
        _document_module("Sheet1", _SHEET_BASE),  # the config sheet's code name
        *own_modules(),
        *xlwings_modules(),
    ]


def ribbon_xml() -> str:
    return (VBA_DIR / "customUI.xml").read_text(encoding="utf-8")


# ------------------------------------------------------------------ the package

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>\
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.addin.macroEnabled.main+xml"/>\
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
<Override PartName="/xl/theme/theme1.xml" ContentType="application/vnd.openxmlformats-officedocument.theme+xml"/>\
<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>\
</Types>"""

_ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>\
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>\
<Relationship Id="rId3" Type="http://schemas.microsoft.com/office/2006/relationships/ui/extensibility" Target="customUI/customUI.xml"/>\
</Relationships>"""

_APP = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">\
<Application>Microsoft Excel</Application><Company>demandgrid</Company></Properties>"""

_WORKBOOK = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
<workbookPr codeName="ThisWorkbook"/>\
<bookViews><workbookView visibility="hidden"/></bookViews>\
<sheets><sheet name="{CONFIG_SHEET}" sheetId="1" r:id="rId1"/></sheets>\
</workbook>"""

_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>\
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>\
<Relationship Id="rId3" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/>\
<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme" Target="theme/theme1.xml"/>\
</Relationships>"""

_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>\
<font><i/><sz val="11"/><name val="Calibri"/></font></fonts>\
<fills count="2"><fill><patternFill patternType="none"/></fill>\
<fill><patternFill patternType="gray125"/></fill></fills>\
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>\
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
</styleSheet>"""


def _text_cell(ref: str, text: str, style: int) -> str:
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'


def config_sheet_xml() -> str:
    rows = []
    for number, (key, value) in enumerate(ADDIN_SETTINGS, start=1):
        cells = _text_cell(f"A{number}", key, 1) + _text_cell(f"B{number}", value, 1)
        rows.append(f'<row r="{number}">{cells}</row>')
    note_row = len(ADDIN_SETTINGS) + 3  # after a blank row, so xlwings does not read it
    rows.append(f'<row r="{note_row}">{_text_cell(f"A{note_row}", CONFIG_NOTE, 2)}</row>')
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetPr codeName="Sheet1"/>'
        '<cols><col min="1" max="1" width="32" customWidth="1"/>'
        '<col min="2" max="2" width="48" customWidth="1"/></cols>'
        f"<sheetData>{''.join(rows)}</sheetData></worksheet>"
    )


def vba_project_bin() -> bytes:
    return write_vba_project(addin_modules(), project=VBA_PROJECT_NAME, project_id=PROJECT_ID)


def build_addin(out: Path) -> Path:
    """Write the add-in to ``out`` (a ``.xlam`` path); return the path written."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    parts: dict[str, str | bytes] = {
        "[Content_Types].xml": _CONTENT_TYPES,
        "_rels/.rels": _ROOT_RELS,
        "docProps/app.xml": _APP,
        "xl/workbook.xml": _WORKBOOK,
        "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": config_sheet_xml(),
        "xl/styles.xml": _STYLES,
        # the Office theme every workbook carries (Excel adds one on save if it is missing)
        "xl/theme/theme1.xml": theme_xml,
        "xl/vbaProject.bin": vba_project_bin(),
        "customUI/customUI.xml": ribbon_xml(),
    }
    partial = out.with_name(out.name + ".part")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in parts.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            package.writestr(info, content.encode("utf-8") if isinstance(content, str) else content)
    partial.replace(out)
    return out
