"""Write ``vbaProject.bin`` from VBA source text (MS-OVBA), so the add-in is built from source.

The project stores **source only**: ``_VBA_PROJECT`` carries version 0xFFFF and no
performance cache, which tells Office to compile the modules from their source when it opens
the file (MS-OVBA 2.3.4.1). Streams, inside a compound file (``addin.xlam.cfb``):

- ``PROJECT``: the project's text properties (module list, name, protection, ...)
- ``PROJECTwm``: module names in MBCS and UTF-16
- ``VBA/_VBA_PROJECT``: the version marker; ``VBA/dir``: project and module records, compressed
- ``VBA/<module>``: each module's source, compressed (MS-OVBA 2.4.1)

``compress`` and ``decompress`` implement the MS-OVBA compression algorithm; the tests check
them against the specification's worked examples and against oletools' independent reader.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import Enum

from addin.xlam.cfb import Storage, write_compound_file

CODEPAGE = 1252
ENCODING = "cp1252"
LCID = 0x0409
CHUNK = 4096


class ModuleKind(Enum):
    STANDARD = "Module"  # a .bas module
    CLASS = "Class"  # a .cls module
    DOCUMENT = "Document"  # ThisWorkbook and the sheets' modules


@dataclass(frozen=True)
class VbaModule:
    """One module: its name and its source as stored (``Attribute`` lines included)."""

    name: str
    source: str
    kind: ModuleKind = ModuleKind.STANDARD


@dataclass(frozen=True)
class Reference:
    """A registered type library the code uses (``*\\G{guid}#version#lcid#path#description``)."""

    name: str
    libid: str


STDOLE = Reference(
    "stdole",
    "*\\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\\Windows\\System32\\stdole2.tlb"
    "#OLE Automation",
)
# IRibbonControl, the ribbon callbacks' argument type, lives in the Office library.
OFFICE = Reference(
    "Office",
    "*\\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#C:\\Program Files\\Common Files"
    "\\Microsoft Shared\\OFFICE16\\MSO.DLL#Microsoft Office 16.0 Object Library",
)


# ------------------------------------------------------------------ compression (2.4.1)


def compress(raw: bytes) -> bytes:
    """MS-OVBA CompressedContainer for ``raw``."""
    out = bytearray(b"\x01")
    for start in range(0, len(raw), CHUNK):
        out += _compress_chunk(raw[start : start + CHUNK])
    return bytes(out)


def _compress_chunk(chunk: bytes) -> bytes:
    data = bytearray()
    # Candidate match positions by their first three bytes: only those can start a match of 3+.
    seen: dict[bytes, list[int]] = {}
    pos = 0
    end = len(chunk)
    while pos < end:
        flag_at = len(data)
        data.append(0)
        flags = 0
        for bit in range(8):
            if pos >= end:
                break
            offset, length = _longest_match(chunk, pos, seen)
            if length >= 3:
                bit_count = max((pos - 1).bit_length(), 4)
                data += struct.pack("<H", ((offset - 1) << (16 - bit_count)) | (length - 3))
                flags |= 1 << bit
                step = length
            else:
                data.append(chunk[pos])
                step = 1
            for p in range(pos, pos + step):
                seen.setdefault(chunk[p : p + 3], []).append(p)
            pos += step
        data[flag_at] = flags
    if len(data) > CHUNK:  # incompressible: a raw chunk of exactly 4096 bytes
        return struct.pack("<H", 0x3000 | (CHUNK - 1)) + chunk.ljust(CHUNK, b"\0")
    return struct.pack("<H", 0xB000 | (len(data) + 2 - 3)) + bytes(data)


def _longest_match(chunk: bytes, pos: int, seen: dict[bytes, list[int]]) -> tuple[int, int]:
    """(offset, length) of the longest earlier match at ``pos``; the nearest one wins ties."""
    candidates = seen.get(chunk[pos : pos + 3])
    if not candidates or pos + 3 > len(chunk):
        return 0, 0
    bit_count = max((pos - 1).bit_length(), 4)
    limit = min((0xFFFF >> bit_count) + 3, len(chunk) - pos)
    best_offset = best_length = 0
    for candidate in reversed(candidates):
        length = 0
        # Byte by byte, because a match may run into the bytes it is copying (offset < length).
        while length < limit and chunk[candidate + length] == chunk[pos + length]:
            length += 1
        if length > best_length:
            best_offset, best_length = pos - candidate, length
            if length == limit:
                break
    return best_offset, best_length


def decompress(container: bytes) -> bytes:
    """Inverse of ``compress`` (MS-OVBA 2.4.1.3.1)."""
    if not container or container[0] != 1:
        raise ValueError("not an MS-OVBA compressed container (signature byte is not 0x01)")
    out = bytearray()
    pos = 1
    while pos < len(container):
        header = struct.unpack_from("<H", container, pos)[0]
        size = (header & 0x0FFF) + 3
        body = container[pos + 2 : pos + size]
        pos += size
        if not header & 0x8000:
            out += body
            continue
        start = len(out)
        i = 0
        while i < len(body):
            flags = body[i]
            i += 1
            for bit in range(8):
                if i >= len(body):
                    break
                if flags & (1 << bit):
                    token = struct.unpack_from("<H", body, i)[0]
                    i += 2
                    bit_count = max((len(out) - start - 1).bit_length(), 4)
                    length = (token & (0xFFFF >> bit_count)) + 3
                    offset = (token >> (16 - bit_count)) + 1
                    for _ in range(length):
                        out.append(out[-offset])
                else:
                    out.append(body[i])
                    i += 1
    return bytes(out)


# ------------------------------------------------------------------ data encryption (2.4.3)


def encrypt(project_id: str, data: bytes, seed: int = 0x5A) -> str:
    """MS-OVBA Data Encryption, as hex text: the PROJECT stream's CMG, DPB and GC values.

    The seed is fixed, so the same sources build the same file.
    """
    version = 2
    key = sum(project_id.encode(ENCODING)) & 0xFF
    out = bytearray([seed, seed ^ version, seed ^ key])
    unencrypted1, encrypted1, encrypted2 = key, out[2], out[1]
    ignored = (seed & 6) // 2
    for byte in [0] * ignored + list(struct.pack("<I", len(data))) + list(data):
        enc = byte ^ ((encrypted2 + unencrypted1) & 0xFF)
        out.append(enc)
        encrypted2, encrypted1, unencrypted1 = encrypted1, enc, byte
    return out.hex().upper()


# ------------------------------------------------------------------ streams


def _record(rid: int, payload: bytes) -> bytes:
    return struct.pack("<HI", rid, len(payload)) + payload


def _text(rid: int, text: str, unicode_rid: int | None = None) -> bytes:
    out = _record(rid, text.encode(ENCODING))
    if unicode_rid is not None:
        out += _record(unicode_rid, text.encode("utf-16-le"))
    return out


def _dir_stream(project: str, modules: list[VbaModule], references: list[Reference]) -> bytes:
    parts = [
        _record(0x0001, struct.pack("<I", 1)),  # SysKind: Win32 (Office recompiles anyway)
        _record(0x0002, struct.pack("<I", LCID)),
        _record(0x0014, struct.pack("<I", LCID)),
        _record(0x0003, struct.pack("<H", CODEPAGE)),
        _text(0x0004, project),
        _text(0x0005, "", 0x0040),  # doc string
        _text(0x0006, "", 0x003D),  # help file
        _record(0x0007, struct.pack("<I", 0)),
        _record(0x0008, struct.pack("<I", 0)),
        struct.pack("<HIIH", 0x0009, 4, 1, 0),  # version 1.0: its size field is fixed at 4
        _text(0x000C, "", 0x003C),  # constants
    ]
    for ref in references:
        libid = ref.libid.encode(ENCODING)
        parts.append(_text(0x0016, ref.name, 0x003E))
        parts.append(_record(0x000D, struct.pack("<I", len(libid)) + libid + b"\0" * 6))
    parts.append(_record(0x000F, struct.pack("<H", len(modules))))
    parts.append(_record(0x0013, struct.pack("<H", 0xFFFF)))
    for module in modules:
        parts += [
            _text(0x0019, module.name, 0x0047),
            _text(0x001A, module.name, 0x0032),
            _text(0x001C, "", 0x0048),
            _record(0x0031, struct.pack("<I", 0)),  # source starts at 0: no p-code cache
            _record(0x001E, struct.pack("<I", 0)),
            _record(0x002C, struct.pack("<H", 0xFFFF)),
            _record(0x0021 if module.kind is ModuleKind.STANDARD else 0x0022, b""),
            _record(0x002B, b""),
        ]
    parts.append(_record(0x0010, b""))
    return b"".join(parts)


def _project_stream(project_id: str, project: str, modules: list[VbaModule]) -> bytes:
    lines = [f'ID="{project_id}"']
    for module in modules:
        suffix = "/&H00000000" if module.kind is ModuleKind.DOCUMENT else ""
        lines.append(f"{module.kind.value}={module.name}{suffix}")
    lines += [
        f'Name="{project}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        f'CMG="{encrypt(project_id, bytes(4))}"',  # not protected
        f'DPB="{encrypt(project_id, bytes(1))}"',  # no password
        f'GC="{encrypt(project_id, bytes([0xFF]))}"',  # visible
        "",
        "[Host Extender Info]",
        "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000",
        "",
        "[Workspace]",
        *(f"{m.name}=0, 0, 0, 0, C" for m in modules),
        "",
    ]
    return "\r\n".join(lines).encode(ENCODING)


def _names_stream(modules: list[VbaModule]) -> bytes:
    return (
        b"".join(
            m.name.encode(ENCODING) + b"\0" + m.name.encode("utf-16-le") + b"\0\0" for m in modules
        )
        + b"\0\0"
    )


def source_bytes(source: str) -> bytes:
    """Module source as stored: CRLF line ends, the project's code page."""
    text = source.replace("\r\n", "\n").replace("\n", "\r\n")
    return text.encode(ENCODING)


def write_vba_project(
    modules: list[VbaModule],
    *,
    project: str = "VBAProject",
    project_id: str = "{00000000-0000-0000-0000-000000000000}",
    references: list[Reference] | None = None,
) -> bytes:
    """The bytes of a ``vbaProject.bin`` holding ``modules`` as source."""
    names = [m.name for m in modules]
    if len(set(n.upper() for n in names)) != len(names):
        raise ValueError(f"module names must be unique: {names}")
    refs = [STDOLE, OFFICE] if references is None else references
    root = Storage()
    root.streams["PROJECT"] = _project_stream(project_id, project, modules)
    root.streams["PROJECTwm"] = _names_stream(modules)
    vba = root.storage("VBA")
    vba.streams["_VBA_PROJECT"] = struct.pack("<HHBH", 0x61CC, 0xFFFF, 0, 0)
    vba.streams["dir"] = compress(_dir_stream(project, modules, refs))
    for module in modules:
        vba.streams[module.name] = compress(source_bytes(module.source))
    return write_compound_file(root)
