"""The add-in file, built from source: ribbon XML, VBA callbacks, RunPython targets, the VBA
project as an independent reader (oletools) and LibreOffice see it, and the install command."""

from __future__ import annotations

import importlib
import json
import re
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from oletools.olevba import VBA_Parser

from addin.xlam import build as addin_build
from addin.xlam.build import CONFIG_SHEET, VBA_DIR, addin_modules, build_addin
from addin.xlam.install import (
    AddinNotSupportedHere,
    SettingsNotEncodable,
    install,
    read_settings,
    user_config_path,
    write_settings,
)

CUSTOMUI = "{http://schemas.microsoft.com/office/2006/01/customui}"
# customUI schema essentials: the element tree and the attributes a button may carry.
CHILDREN = {
    "customUI": {"ribbon"},
    "ribbon": {"tabs"},
    "tabs": {"tab"},
    "tab": {"group"},
    "group": {"button"},
    "button": set(),
}
BUTTON_ATTRIBUTES = {"id", "label", "size", "imageMso", "onAction", "screentip", "supertip"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_addin(tmp_path_factory.mktemp("addin") / "demandgrid.xlam")


def ribbon() -> ElementTree.Element:
    return ElementTree.parse(VBA_DIR / "customUI.xml").getroot()


def vba_sources() -> dict[str, str]:
    return {m.name: m.source for m in addin_modules()}


def test_ribbon_is_well_formed_customui() -> None:
    root = ribbon()
    assert root.tag == f"{CUSTOMUI}customUI"
    ids = []
    for element in root.iter():
        tag = element.tag.removeprefix(CUSTOMUI)
        assert tag in CHILDREN, tag
        for child in element:
            assert child.tag.removeprefix(CUSTOMUI) in CHILDREN[tag]
        if "id" in element.attrib:
            ids.append(element.attrib["id"])
            assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", element.attrib["id"])
        if tag == "button":
            assert set(element.attrib) <= BUTTON_ATTRIBUTES
            assert {"id", "label", "imageMso", "onAction"} <= set(element.attrib)
            assert element.attrib.get("size", "normal") in {"normal", "large"}
            assert 0 < len(element.attrib["label"]) <= 1024
    assert len(ids) == len(set(ids)), "ribbon ids must be unique"
    (tab,) = root.iter(f"{CUSTOMUI}tab")
    assert tab.attrib["label"] == "Demand Review"
    labels = {b.attrib["label"] for b in root.iter(f"{CUSTOMUI}button")}
    assert {"Pull", "Check", "Push", "Refresh"} <= labels


def test_each_on_action_names_a_ribbon_callback_in_the_vba() -> None:
    sources = vba_sources()
    for button in ribbon().iter(f"{CUSTOMUI}button"):
        module, _, procedure = button.attrib["onAction"].rpartition(".")
        assert module in sources, f"no VBA module {module}"
        signature = rf"(?m)^(Public )?Sub {procedure}\(control As IRibbonControl\)\s*$"
        assert re.search(signature, sources[module]), f"{module}.{procedure} missing"


def test_each_runpython_command_names_a_python_function() -> None:
    commands = re.findall(r'RunPython "([^"]+)"', vba_sources()["DemandReview"])
    assert len(commands) >= 5
    for command in commands:
        match = re.fullmatch(r"import ([\w.]+); ([\w.]+)\.(\w+)\(\)", command)
        assert match, command
        module, qualifier, function = match.groups()
        assert module == qualifier
        assert callable(getattr(importlib.import_module(module), function))


def test_package_parts_relationships_and_content_types(built: Path) -> None:
    with zipfile.ZipFile(built) as package:
        names = package.namelist()
        types = package.read("[Content_Types].xml").decode()
        rels = package.read("_rels/.rels").decode()
        book_rels = package.read("xl/_rels/workbook.xml.rels").decode()
        assert package.read("customUI/customUI.xml") == (VBA_DIR / "customUI.xml").read_bytes()
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in package.infolist())
    assert {"xl/vbaProject.bin", "customUI/customUI.xml", "xl/workbook.xml"} <= set(names)
    assert "application/vnd.ms-excel.addin.macroEnabled.main+xml" in types
    assert (
        'Type="http://schemas.microsoft.com/office/2006/relationships/ui/extensibility" '
        'Target="customUI/customUI.xml"' in rels
    )
    assert "relationships/vbaProject" in book_rels


def test_build_is_reproducible(built: Path, tmp_path: Path) -> None:
    assert build_addin(tmp_path / "again.xlam").read_bytes() == built.read_bytes()


def test_olevba_extracts_exactly_the_vba_sources(built: Path) -> None:
    parser = VBA_Parser(str(built))
    assert parser.detect_vba_macros()
    extracted = {
        Path(name).stem: code.replace("\r\n", "\n") for _, _, name, code in parser.extract_macros()
    }
    expected = {name: source.replace("\r\n", "\n") for name, source in vba_sources().items()}
    assert extracted == expected
    assert extracted["DemandReview"] == (VBA_DIR / "DemandReview.bas").read_text()


def test_xlwings_module_comes_from_the_installed_package_with_our_project_name() -> None:
    import xlwings

    source = vba_sources()["xlwings"]
    assert f"'Version: {xlwings.__version__}" in source
    assert 'Public Const PROJECT_NAME As String = "demandgrid"' in source
    assert "Public Function RunPython(" in source
    assert vba_sources()["Dictionary"].startswith('Attribute VB_Name = "Dictionary"')


def test_vba_project_compiles_from_source(built: Path, tmp_path: Path) -> None:
    import olefile

    with zipfile.ZipFile(built) as package:
        (tmp_path / "vbaProject.bin").write_bytes(package.read("xl/vbaProject.bin"))
    ole = olefile.OleFileIO(str(tmp_path / "vbaProject.bin"))
    assert ole.openstream("VBA/_VBA_PROJECT").read()[2:4] == b"\xff\xff"


def test_config_sheet_holds_shared_settings_only(built: Path) -> None:
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    with zipfile.ZipFile(built) as package:
        workbook = ElementTree.fromstring(package.read("xl/workbook.xml"))
        sheet = ElementTree.fromstring(package.read("xl/worksheets/sheet1.xml"))
    assert [s.attrib["name"] for s in workbook.iter(f"{main}sheet")] == [CONFIG_SHEET]
    rows: dict[int, list[str]] = {}
    for row in sheet.iter(f"{main}row"):
        rows[int(row.attrib["r"])] = [t.text or "" for t in row.iter(f"{main}t")]
    block = {}
    for number in range(1, max(rows) + 1):
        if number not in rows:
            break  # xlwings reads the settings from A1 down to the first blank row
        key, value = rows[number]
        block[key] = value
    assert block == dict(addin_build.ADDIN_SETTINGS)
    assert not {"INTERPRETER_WIN", "INTERPRETER_MAC", "PYTHONPATH"} & set(block)


@pytest.mark.libreoffice
def test_libreoffice_opens_the_addin_and_lists_its_modules(built: Path) -> None:
    from libreoffice import run_uno

    listed = json.loads(run_uno("list_modules.py", built))
    assert listed["sheets"] == [CONFIG_SHEET]
    library = listed["libraries"][addin_build.VBA_PROJECT_NAME]
    assert set(library) == set(vba_sources())
    # LibreOffice prefixes its VBA-support lines and drops the Attribute lines.
    body = "\n".join(
        line
        for line in library["DemandReview"].splitlines()
        if not line.startswith(("Rem ", "Option VBASupport"))
    )
    for line in (VBA_DIR / "DemandReview.bas").read_text().splitlines()[1:]:
        assert line in body


# ------------------------------------------------------------------ install


def test_install_explains_and_fails_off_windows_and_macos() -> None:
    with pytest.raises(AddinNotSupportedHere, match="Windows and macOS"):
        install(platform="linux")


@pytest.mark.parametrize("platform", ["win32", "darwin"])
def test_install_copies_to_xlstart_and_writes_the_interpreter(
    platform: str, tmp_path: Path
) -> None:
    startup = tmp_path / "XLSTART"
    config = user_config_path(platform, tmp_path)
    write_settings(config, {"ORG": "prod"}, platform)  # the user's own settings survive
    lines = install(platform=platform, home=tmp_path, startup=startup)
    assert (startup / "demandgrid.xlam").is_file()
    settings = read_settings(config, platform)
    key = "INTERPRETER_MAC" if platform == "darwin" else "INTERPRETER_WIN"
    assert settings[key] == sys.executable
    assert Path(settings["PYTHONPATH"], "addin", "excel", "ribbon.py").is_file()
    assert settings["ORG"] == "prod"
    assert any("Restart Excel" in line for line in lines)
    if platform == "darwin":
        assert "Library/Containers/com.microsoft.Excel/Data" in str(config)
    else:
        assert config == tmp_path / ".demandgrid" / "demandgrid.conf"


def test_class_module_attributes_are_in_excels_order() -> None:
    """Excel stores a class module's attributes as VB_Name, VB_Base, VB_GlobalNameSpace,
    VB_Creatable, VB_PredeclaredId, VB_Exposed, VB_TemplateDerived, VB_Customizable; other
    module attributes (VB_Description) follow."""
    lines = vba_sources()["Dictionary"].split("\n")
    names = [line.split()[1] for line in lines[:9]]
    assert names == [*addin_build.CLASS_ATTRIBUTE_ORDER, "VB_Description"]
    assert lines[5] == "Attribute VB_Exposed = True"  # xlwings's own values are kept


@pytest.mark.parametrize(
    ("platform", "encoded"),
    [("win32", "C:\\Users\\Jos\xe9\\venv".encode("cp1252")), ("darwin", "é".encode())],
)
def test_settings_file_is_written_in_the_encoding_vba_reads(
    platform: str, encoded: bytes, tmp_path: Path
) -> None:
    """Windows: the ANSI code page (what `xlwings config create` writes and VBA's Line Input
    reads), so C:\\Users\\José\\... survives; macOS: UTF-8, as xlwings writes it there."""
    config = tmp_path / "demandgrid.conf"
    path = "C:\\Users\\José\\venv" if platform == "win32" else "/Users/josé/venv"
    write_settings(config, {"INTERPRETER_WIN": path}, platform)
    raw = config.read_bytes()
    assert encoded in raw and raw.endswith(b'"\r\n')
    assert read_settings(config, platform)["INTERPRETER_WIN"] == path


def test_a_path_the_windows_code_page_cannot_hold_is_refused_with_a_way_out(
    tmp_path: Path,
) -> None:
    config = tmp_path / "demandgrid.conf"
    with pytest.raises(SettingsNotEncodable, match=r"'張'.*C:\\Python311"):
        write_settings(config, {"INTERPRETER_WIN": "C:\\Users\\張\\python.exe"}, "win32")
    assert not config.exists()


def test_config_note_names_each_platforms_settings_file(built: Path) -> None:
    note = addin_build.CONFIG_NOTE
    assert "%USERPROFILE%\\.demandgrid\\demandgrid.conf" in note
    assert str(user_config_path("darwin", Path("~"))) in note
    assert "~/.demandgrid" not in note


def test_addin_carries_a_theme_part(built: Path) -> None:
    with zipfile.ZipFile(built) as package:
        types = package.read("[Content_Types].xml").decode()
        book_rels = package.read("xl/_rels/workbook.xml.rels").decode()
        theme = ElementTree.fromstring(package.read("xl/theme/theme1.xml"))
    assert theme.tag == "{http://schemas.openxmlformats.org/drawingml/2006/main}theme"
    assert 'PartName="/xl/theme/theme1.xml"' in types and "theme+xml" in types
    assert 'relationships/theme" Target="theme/theme1.xml"' in book_rels
