"""``demandgrid addin install``: put the add-in where Excel loads it and point it at this Python.

On Windows and macOS: build ``demandgrid.xlam`` from source with the xlwings installed here
(so the VBA and the Python side share one xlwings version), copy it into Excel's XLSTART
folder (found as ``xlwings addin install`` finds it: ``app.startup_path``, with the usual
default when Excel cannot be asked), and write the interpreter and PYTHONPATH into the user's
settings file, the place xlwings's VBA ``GetConfig`` reads for project ``demandgrid``:

- Windows: ``%USERPROFILE%\\.demandgrid\\demandgrid.conf``
- macOS: ``~/Library/Containers/com.microsoft.Excel/Data/demandgrid.conf`` (Excel's sandbox
  home, which is what the VBA sees as ``$HOME``)

Elsewhere it explains and fails: Excel add-ins exist only on Windows and macOS.
"""

from __future__ import annotations

import locale
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from addin.book.errors import UserError
from addin.xlam.build import ADDIN_FILE, PROJECT_NAME, build_addin


class AddinNotSupportedHere(UserError):
    """Excel add-ins install on Windows and macOS only."""


class ExcelStartupFolderNotFound(UserError):
    """Excel's XLSTART folder could not be found or created."""


class AddinInUse(UserError):
    """The installed add-in file is open in Excel and cannot be replaced."""


def _is_windows(platform: str) -> bool:
    return platform.startswith("win")


def _is_mac(platform: str) -> bool:
    return platform.startswith("darwin")


def user_config_path(platform: str = sys.platform, home: Path | None = None) -> Path:
    """The settings file xlwings's VBA reads for project ``demandgrid`` (GetConfigFilePath)."""
    home = home or Path.home()
    if _is_mac(platform):
        return home / "Library/Containers/com.microsoft.Excel/Data" / f"{PROJECT_NAME}.conf"
    return home / f".{PROJECT_NAME}" / f"{PROJECT_NAME}.conf"


def default_startup_folder(platform: str = sys.platform, home: Path | None = None) -> Path:
    """Excel's per-user XLSTART folder where Excel is installed in the usual place."""
    home = home or Path.home()
    if _is_mac(platform):
        return (
            home / "Library/Group Containers/UBF8T346G9.Office/User Content.localized"
            "/Startup.localized/Excel"
        )
    appdata = Path(os.environ.get("APPDATA", home / "AppData" / "Roaming"))
    return appdata / "Microsoft" / "Excel" / "XLSTART"


def excel_startup_folder(platform: str = sys.platform) -> Path:
    """XLSTART as Excel reports it (``app.startup_path``, as xlwings does), else the default."""
    try:
        import xlwings as xw

        if xw.apps:
            return Path(xw.apps.active.startup_path)  # type: ignore[union-attr]
        with xw.App(visible=False) as app:
            return Path(app.startup_path)
    except Exception:  # Excel not scriptable right now (not running, automation refused)
        return default_startup_folder(platform)


class SettingsNotEncodable(UserError):
    """A setting (an interpreter path) has characters the settings file's encoding lacks."""


def settings_encoding(platform: str = sys.platform) -> str:
    """The settings file's encoding: what ``xlwings config create`` writes (Python's default
    text encoding) and what xlwings's VBA reads with ``Line Input``: on Windows the ANSI code
    page (cp1252 in Western Europe and the Americas), on macOS UTF-8."""
    if not _is_windows(platform):
        return "utf-8"
    if sys.platform.startswith("win"):
        return locale.getencoding()  # the ANSI code page, even in Python's UTF-8 mode
    return "cp1252"  # writing a Windows settings file elsewhere (tests): the Western code page


def read_settings(path: Path, platform: str = sys.platform) -> dict[str, str]:
    """A settings file in VBA ``Write #`` format: one ``"KEY","value"`` line per setting."""
    settings: dict[str, str] = {}
    if path.is_file():
        text = path.read_bytes().decode(settings_encoding(platform), errors="replace")
        for line in text.splitlines():
            fields = re.findall(r'"([^"]*)"', line)
            if len(fields) >= 2:
                settings[fields[0]] = fields[1]
    return settings


def write_settings(path: Path, updates: dict[str, str], platform: str = sys.platform) -> None:
    """Set ``updates`` in the settings file, keeping every other setting the user has."""
    encoding = settings_encoding(platform)
    settings = {k: v for k, v in read_settings(path, platform).items() if k.upper() not in updates}
    settings.update(updates)
    # CRLF and no quotes inside values: what VBA's Input # reads back.
    lines = [f'"{key}","{value.replace(chr(34), "")}"' for key, value in settings.items()]
    for key, value in settings.items():
        try:
            value.encode(encoding)
        except UnicodeEncodeError as e:
            raise SettingsNotEncodable(
                f"{key} = {value} has {value[e.start : e.end]!r}, which Excel cannot read from "
                f"its settings file on this Windows machine (code page {encoding}). Install "
                "Python (or the virtual environment) in a folder whose path has no such "
                "characters, e.g. C:\\Python311, and run `demandgrid addin install` from it."
            ) from None
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def python_settings(platform: str = sys.platform) -> dict[str, str]:
    """The interpreter running this command, and the folder the ``addin`` package is in."""
    key = "INTERPRETER_MAC" if _is_mac(platform) else "INTERPRETER_WIN"
    package_root = Path(__file__).resolve().parents[2]
    return {key: sys.executable, "PYTHONPATH": str(package_root)}


def _install_runpython_script(home: Path) -> Path | None:
    """macOS: RunPython goes through xlwings's AppleScript, which Excel's sandbox only runs
    from its Application Scripts folder (what ``xlwings runpython install`` does)."""
    import xlwings as xw

    script = Path(xw.__file__).parent / f"xlwings-{xw.__version__}.applescript"
    if not script.is_file():
        return None
    target = home / "Library/Application Scripts/com.microsoft.Excel"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(script, target)
    return target / script.name


def install(
    platform: str = sys.platform, home: Path | None = None, startup: Path | None = None
) -> list[str]:
    """Install the add-in for this user; return what was done, line by line."""
    if not (_is_windows(platform) or _is_mac(platform)):
        raise AddinNotSupportedHere(
            "Excel add-ins install on Windows and macOS only. Build the add-in here with "
            "`demandgrid addin build -o build/demandgrid.xlam`, then on the rep's Windows or "
            "Mac machine run `pip install demandgrid` and `demandgrid addin install` (see "
            "docs/install-addin.md)."
        )
    home = home or Path.home()
    folder = startup or excel_startup_folder(platform)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ExcelStartupFolderNotFound(
            f"Could not create Excel's startup folder {folder} ({e.strerror}). Start Excel "
            "once, then run `demandgrid addin install` again."
        ) from None
    target = folder / ADDIN_FILE
    with tempfile.TemporaryDirectory() as scratch:
        built = build_addin(Path(scratch) / ADDIN_FILE)
        try:
            shutil.copyfile(built, target)
        except PermissionError:
            raise AddinInUse(
                f"Could not replace {target}: Excel has it open. Quit Excel (on macOS with "
                "Cmd-Q) and run `demandgrid addin install` again."
            ) from None
    config = user_config_path(platform, home)
    settings = python_settings(platform)
    write_settings(config, settings, platform)
    done = [
        f"Installed the Demand Review add-in: {target}",
        f"Settings for Excel: {config}",
        *(f"  {key} = {value}" for key, value in settings.items()),
    ]
    if _is_mac(platform):
        script = _install_runpython_script(home)
        if script:
            done.append(f"Enabled RunPython for Excel's sandbox: {script}")
    done.append("Restart Excel: the Demand Review tab appears on the ribbon.")
    return done
