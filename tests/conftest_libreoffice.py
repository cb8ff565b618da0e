"""The session's LibreOffice: one headless soffice (``libreoffice.Office``) for every test that
edits or saves a workbook through LibreOffice's UNO interface."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from libreoffice import Office, available


@pytest.fixture(scope="session")
def libreoffice() -> Iterator[Office]:
    if not available():
        pytest.skip("LibreOffice (soffice) is not installed")
    office = Office()
    yield office
    office.close()
