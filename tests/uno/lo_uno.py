"""Plumbing for scripts that drive LibreOffice through UNO. Runs under the system python3
(the one with the ``uno`` module from python3-uno), not the project's virtual environment.

``with office() as desktop:`` starts a private headless soffice (its own profile directory, so
concurrent runs never share a lock), connects over a pipe, and stops it afterwards.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
import uuid

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]


def props(**kwargs):
    out = []
    for k, v in kwargs.items():
        p = PropertyValue()
        p.Name, p.Value = k, v
        out.append(p)
    return tuple(out)


def url(path: str) -> str:
    return uno.systemPathToFileUrl(os.path.abspath(path))


@contextlib.contextmanager
def office():
    profile = tempfile.mkdtemp(prefix="dg-lo-")
    pipe = f"dg{uuid.uuid4().hex}"
    proc = subprocess.Popen(
        [
            shutil.which("soffice") or "soffice",
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nodefault",
            f"-env:UserInstallation={uno.systemPathToFileUrl(profile)}",
            f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        deadline = time.monotonic() + 90
        while True:
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("LibreOffice did not start") from None
                time.sleep(0.3)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        yield desktop
        with contextlib.suppress(Exception):
            desktop.terminate()
    finally:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)


def load(desktop, path: str, macros: bool = False):
    # MacroExecutionMode 4 = ALWAYS_EXECUTE_NO_WARN; 0 = NEVER_EXECUTE
    return desktop.loadComponentFromURL(
        url(path), "_blank", 0, props(Hidden=True, MacroExecutionMode=4 if macros else 0)
    )


def save_xlsx(doc, path: str) -> None:
    doc.storeToURL(url(path), props(FilterName="Calc MS Excel 2007 XML"))
