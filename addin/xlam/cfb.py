"""A small writer of compound files (MS-CFB, version 3): the container of ``vbaProject.bin``.

It writes a tree of storages and streams once, deterministically (no timestamps, no random
CLSIDs): 512-byte sectors, streams under 4,096 bytes in the mini stream, one FAT with no DIFAT
sectors (enough for files up to ~7 MB). Sibling trees are balanced binary trees with every
node black, which MS-CFB readers accept (they navigate by name order, not by colour).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
FREESECT = 0xFFFFFFFF
ENDOFCHAIN = 0xFFFFFFFE
FATSECT = 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF
MAX_FAT_SECTORS = 109  # all FAT sector numbers fit in the header's DIFAT array

_STORAGE, _STREAM, _ROOT = 1, 2, 5


class CompoundFileTooLarge(ValueError):
    """The content needs more FAT sectors than the header can list (no DIFAT support)."""


@dataclass
class Storage:
    """A storage (folder) in a compound file: named child storages and streams."""

    storages: dict[str, Storage] = field(default_factory=dict)
    streams: dict[str, bytes] = field(default_factory=dict)

    def storage(self, name: str) -> Storage:
        return self.storages.setdefault(name, Storage())


@dataclass
class _Entry:
    name: str
    kind: int
    content: bytes = b""
    children: list[int] = field(default_factory=list)
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    start: int = ENDOFCHAIN
    size: int = 0


def _order(name: str) -> tuple[int, str]:
    # MS-CFB 2.6.4: shorter names sort first, then by upper-cased code units.
    return (len(name), name.upper())


def _flatten(root: Storage) -> list[_Entry]:
    entries = [_Entry("Root Entry", _ROOT)]

    def add(storage: Storage, parent: int) -> None:
        for name, content in storage.streams.items():
            entries.append(_Entry(name, _STREAM, content))
            entries[parent].children.append(len(entries) - 1)
        for name, sub in storage.storages.items():
            entries.append(_Entry(name, _STORAGE))
            index = len(entries) - 1
            entries[parent].children.append(index)
            add(sub, index)

    add(root, 0)
    for entry in entries:
        if len(entry.name) > 31:
            raise ValueError(f"compound file names are at most 31 characters: {entry.name!r}")
        kids = sorted(entry.children, key=lambda i: _order(entries[i].name))
        entry.child = _balanced(entries, kids)
    return entries


def _balanced(entries: list[_Entry], kids: list[int]) -> int:
    """Link ``kids`` (sorted) as a balanced binary tree; return its root (or NOSTREAM)."""
    if not kids:
        return NOSTREAM
    middle = len(kids) // 2
    node = entries[kids[middle]]
    node.left = _balanced(entries, kids[:middle])
    node.right = _balanced(entries, kids[middle + 1 :])
    return kids[middle]


def _sectors(content: bytes, size: int) -> list[bytes]:
    return [content[i : i + size].ljust(size, b"\0") for i in range(0, len(content), size)]


def write_compound_file(root: Storage) -> bytes:
    """The bytes of a compound file holding ``root``'s storages and streams."""
    entries = _flatten(root)

    # Small streams go to the mini stream, in 64-byte mini sectors chained by the mini FAT.
    mini_fat: list[int] = []
    mini_stream = bytearray()
    for entry in entries:
        if entry.kind != _STREAM:
            continue
        entry.size = len(entry.content)
        if entry.size == 0 or entry.size >= MINI_CUTOFF:
            continue
        chunks = _sectors(entry.content, MINI_SECTOR)
        entry.start = len(mini_fat)
        mini_fat.extend(range(entry.start + 1, entry.start + len(chunks)))
        mini_fat.append(ENDOFCHAIN)
        mini_stream += b"".join(chunks)

    # Regular sectors, in order: large streams, the mini stream, the mini FAT, the directory.
    body: list[bytes] = []
    fat: list[int] = []

    def place(content: bytes) -> int:
        chunks = _sectors(content, SECTOR)
        if not chunks:
            return ENDOFCHAIN
        start = len(body)
        body.extend(chunks)
        fat.extend(range(start + 1, start + len(chunks)))
        fat.append(ENDOFCHAIN)
        return start

    for entry in entries:
        if entry.kind == _STREAM and entry.size >= MINI_CUTOFF:
            entry.start = place(entry.content)
    entries[0].start = place(bytes(mini_stream))
    entries[0].size = len(mini_stream)
    mini_fat_bytes = struct.pack(f"<{len(mini_fat)}I", *mini_fat)
    mini_fat_start = place(mini_fat_bytes)
    mini_fat_sectors = -(-len(mini_fat_bytes) // SECTOR)

    directory = b"".join(_directory_entry(e) for e in entries)
    padding = (-len(entries)) % (SECTOR // 128)
    directory += _directory_entry(None) * padding
    directory_start = place(directory)

    # The FAT describes itself too: grow it until it covers every sector including its own.
    fat_sectors = 1
    while (len(body) + fat_sectors) > fat_sectors * (SECTOR // 4):
        fat_sectors += 1
    if fat_sectors > MAX_FAT_SECTORS:
        raise CompoundFileTooLarge("the VBA project is too large for this writer (over ~7 MB)")
    fat_start = len(body)
    fat.extend([FATSECT] * fat_sectors)
    fat.extend([FREESECT] * (fat_sectors * (SECTOR // 4) - len(fat)))
    body.extend(_sectors(struct.pack(f"<{len(fat)}I", *fat), SECTOR))

    difat = list(range(fat_start, fat_start + fat_sectors))
    difat += [FREESECT] * (MAX_FAT_SECTORS - len(difat))
    header = b"".join(
        [
            bytes.fromhex("D0CF11E0A1B11AE1"),
            b"\0" * 16,  # CLSID
            struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6),  # v3, 512/64-byte sectors
            b"\0" * 6,
            struct.pack("<III", 0, fat_sectors, directory_start),
            struct.pack("<III", 0, MINI_CUTOFF, mini_fat_start if mini_fat else ENDOFCHAIN),
            struct.pack("<III", mini_fat_sectors, ENDOFCHAIN, 0),
            struct.pack(f"<{MAX_FAT_SECTORS}I", *difat),
        ]
    )
    assert len(header) == SECTOR
    return header + b"".join(body)


def _directory_entry(entry: _Entry | None) -> bytes:
    if entry is None:  # an unused slot
        return (
            b"\0" * 64
            + struct.pack("<HBBIII", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM)
            + (b"\0" * 36)
            + struct.pack("<IQ", 0, 0)
        )
    name = entry.name.encode("utf-16-le")
    stream_start = entry.start if entry.kind != _STORAGE else 0
    return (
        (name + b"\0\0").ljust(64, b"\0")
        + struct.pack("<HBB", len(name) + 2, entry.kind, 1)  # colour 1: black
        + struct.pack("<III", entry.left, entry.right, entry.child)
        + b"\0" * 16  # CLSID
        + b"\0" * 4  # state bits
        + b"\0" * 16  # creation and modification times: none, for reproducible files
        + struct.pack("<IQ", stream_start, entry.size)
    )
