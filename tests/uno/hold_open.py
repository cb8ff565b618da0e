"""Keep a workbook open in LibreOffice, as a user with the file open would, until told to stop.

usage: /usr/bin/python3 tests/uno/hold_open.py FILE.xlsx

Loads the file for editing (LibreOffice writes its owner file ``.~lock.FILE.xlsx#`` beside it),
prints ``open <lock file>`` and waits until its standard input closes; then closes the document
without saving (LibreOffice removes the lock file) and stops.
"""

import os
import sys
import time

from lo_uno import load, office


def main(path):
    lock = os.path.join(os.path.dirname(os.path.abspath(path)), f".~lock.{os.path.basename(path)}#")
    with office() as desktop:
        doc = load(desktop, path)
        deadline = time.monotonic() + 30
        while not os.path.exists(lock) and time.monotonic() < deadline:
            time.sleep(0.1)
        print("open" if os.path.exists(lock) else "no-lock", lock, flush=True)
        sys.stdin.read()  # until the test closes our stdin
        doc.close(True)


if __name__ == "__main__":
    main(sys.argv[1])
