"""The vbaProject.bin writer: MS-OVBA compression, data encryption and the compound file,
each checked against the specification's examples and independent readers (oletools, olefile)."""

from __future__ import annotations

import random
import struct

import olefile
import pytest
from oletools.olevba import VBA_Parser, decompress_stream

from addin.xlam.cfb import Storage, write_compound_file
from addin.xlam.vbaproject import (
    ModuleKind,
    VbaModule,
    compress,
    decompress,
    encrypt,
    source_bytes,
    write_vba_project,
)

# MS-OVBA 3.2.1 (no compression possible) and 3.2.2 (normal compression).
SPEC_EXAMPLES = [
    (
        b"abcdefghijklmnopqrstuv.",
        "01 19 B0 00 61 62 63 64 65 66 67 68 00 69 6A 6B 6C 6D 6E 6F 70 00 71 72 73 74 75 76 2E",
    ),
    (
        b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa",
        "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 20"
        " 6D 6E 6F 70 06 71 02 70 04 00 72 73 74 75 76 10 77 78 79 7A 00 2C",
    ),
]


@pytest.mark.parametrize(("raw", "compressed"), SPEC_EXAMPLES)
def test_compression_matches_the_specification_examples(raw: bytes, compressed: str) -> None:
    assert compress(raw) == bytes.fromhex(compressed)
    assert decompress(bytes.fromhex(compressed)) == raw


def test_a_run_of_one_byte_compresses_to_one_literal_and_one_overlapping_copy() -> None:
    # 'a' then a copy of offset 1, length 14 (it overlaps the bytes it copies).
    assert compress(b"a" * 15) == bytes.fromhex("01 03 B0 02 61 0B 00")


def _olevba_decompress(container: bytes) -> bytes:
    return bytes(decompress_stream(bytearray(container)))


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"x",
        b"Sub A()\r\nEnd Sub\r\n" * 500,  # several chunks
        b" " * 4096,  # exactly one chunk
        b" " * 4097,  # one byte into the next chunk
        random.Random(7).randbytes(3 * 4096),  # raw chunks
        bytes(random.Random(8).choices(b"ab ", k=20_000)),
    ],
    ids=["empty", "one", "chunks", "4096", "4097", "random-raw", "small-alphabet"],
)
def test_compression_round_trips_through_oletools(raw: bytes) -> None:
    container = compress(raw)
    assert decompress(container) == raw
    assert _olevba_decompress(container) == raw


def test_incompressible_chunks_are_stored_raw() -> None:
    raw = random.Random(1).randbytes(4096)
    container = compress(raw)
    header = struct.unpack_from("<H", container, 1)[0]
    assert header == 0x3FFF  # flag 0 (raw), signature 0b011, size 4098 - 3
    assert container[3:] == raw


def test_vba_source_compresses_well() -> None:
    source = source_bytes("Sub OnPull(control As IRibbonControl)\n    x = 1\nEnd Sub\n" * 200)
    assert len(compress(source)) < len(source) / 10


def _decrypt(hex_text: str) -> tuple[int, bytes]:
    """MS-OVBA 2.4.3.3, written separately from ``encrypt``: (project key, data)."""
    raw = bytes.fromhex(hex_text)
    seed, version_enc, key_enc = raw[0], raw[1], raw[2]
    assert seed ^ version_enc == 2
    key = seed ^ key_enc
    unencrypted1, encrypted1, encrypted2 = key, key_enc, version_enc
    plain = []
    for byte in raw[3:]:
        value = byte ^ ((encrypted2 + unencrypted1) & 0xFF)
        plain.append(value)
        encrypted2, encrypted1, unencrypted1 = encrypted1, byte, value
    ignored = (seed & 6) // 2
    plain = plain[ignored:]
    length = struct.unpack("<I", bytes(plain[:4]))[0]
    return key, bytes(plain[4 : 4 + length])


@pytest.mark.parametrize("seed", [0x00, 0x5A, 0x5D, 0xFF])
@pytest.mark.parametrize("data", [bytes(4), b"\0", b"\xff"])
def test_data_encryption_round_trips(seed: int, data: bytes) -> None:
    project_id = "{318BEE36-5BE1-492A-826D-473DB19B0F30}"
    key, plain = _decrypt(encrypt(project_id, data, seed=seed))
    assert key == 0xD7  # the byte sum of the project id, as Excel computes it
    assert plain == data


def test_compound_file_streams_read_back_with_olefile(tmp_path) -> None:
    root = Storage()
    root.streams["small"] = b"s" * 100
    root.streams["exactly-cutoff"] = bytes(range(256)) * 16  # 4096: a regular stream
    root.streams["empty"] = b""
    folder = root.storage("VBA")
    for i in range(40):  # enough entries for a deep sibling tree and several directory sectors
        folder.streams[f"Module{i}"] = f"module {i}".encode() * (i * 20 + 1)
    folder.streams["big"] = random.Random(3).randbytes(70_000)
    path = tmp_path / "test.bin"
    path.write_bytes(write_compound_file(root))

    ole = olefile.OleFileIO(str(path))
    assert ole.openstream("small").read() == b"s" * 100
    assert ole.openstream("exactly-cutoff").read() == bytes(range(256)) * 16
    assert ole.openstream("empty").read() == b""
    assert ole.openstream("VBA/big").read() == folder.streams["big"]
    for i in range(40):
        assert ole.openstream(f"VBA/Module{i}").read() == folder.streams[f"Module{i}"]
    assert len(ole.listdir()) == 3 + 41


def test_same_content_gives_same_bytes() -> None:
    modules = [VbaModule("Module1", 'Attribute VB_Name = "Module1"\nSub A()\nEnd Sub\n')]
    assert write_vba_project(modules) == write_vba_project(modules)


def test_vba_project_reads_back_with_olevba(tmp_path) -> None:
    modules = [
        VbaModule(
            "ThisWorkbook",
            'Attribute VB_Name = "ThisWorkbook"\n'
            'Attribute VB_Base = "0{00020819-0000-0000-C000-000000000046}"\n',
            ModuleKind.DOCUMENT,
        ),
        VbaModule(
            "Ribbon",
            'Attribute VB_Name = "Ribbon"\nSub OnPull(control As IRibbonControl)\n'
            '    MsgBox "héllo"\nEnd Sub\n',
        ),
    ]
    path = tmp_path / "vbaProject.bin"
    path.write_bytes(write_vba_project(modules, project="Demo"))

    ole = olefile.OleFileIO(str(path))
    assert ole.openstream("VBA/_VBA_PROJECT").read()[:4] == b"\xcc\x61\xff\xff"  # from source
    project = ole.openstream("PROJECT").read().decode("cp1252")
    assert "Document=ThisWorkbook/&H00000000" in project and "Module=Ribbon" in project
    parser = VBA_Parser(str(path))
    extracted = {name: code for _, _, name, code in parser.extract_macros()}
    assert extracted["Ribbon.bas"].replace("\r\n", "\n") == modules[1].source
    assert set(extracted) == {"ThisWorkbook.cls", "Ribbon.bas"}


def test_module_names_must_be_unique() -> None:
    with pytest.raises(ValueError, match="unique"):
        write_vba_project([VbaModule("A", ""), VbaModule("a", "")])
