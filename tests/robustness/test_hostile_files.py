"""Damaged and hostile corpus files: each is skipped by name with a reason, the rest is answered."""

from __future__ import annotations

import errno
import json
import os
import struct
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from config import load_settings
from retrieval import Engine
from retrieval.ingest import loader
from retrieval.ingest.formats.docx import read_docx
from retrieval.ingest.loader import UnreadableFile, discover, read_text
from retrieval.ingest.process import process_file
from retrieval.ingest.result import FileResult
from retrieval.types import Skipped
from tests.conftest import ROOT, SEEDS, run_cli, shown

# A hang guard for every test here (tests with their own mark keep it).
pytestmark = pytest.mark.timeout(120)

GOOD = "2024_古丈县教体局_工作总结及2025年工作计划.txt"
QUESTION = "古丈县现有各级各类学校多少所？"
ANSWER = "88所"
PARAMS = {"max_chunk_chars": 400, "k1": 1.5, "b": 0.75, "epsilon": 0.25, "max_file_mb": 256, "max_docx_xml_mb": 64}
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)


# --- building files -------------------------------------------------------------------------------


def corpus_with_good_report(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / GOOD).write_bytes((SEEDS / GOOD).read_bytes())
    return folder


def document_xml(*paragraphs: str, prolog: str = "") -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
        f'<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>'
    ).encode()


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def write_docx(path: Path, *paragraphs: str) -> Path:
    """A real Word document written with python-docx."""
    docx = pytest.importorskip("docx")
    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    document.save(path)
    return path


def write_zip_bomb(path: Path, inflated_bytes: int) -> Path:
    """A .docx whose document.xml inflates to ``inflated_bytes`` (written in pieces, never held whole)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(document_xml("开头")[: -len("</w:body></w:document>")])
            block = b" " * 2**20
            for _ in range(inflated_bytes // len(block)):
                member.write(block)
            member.write(b"</w:body></w:document>")
    return path


def lie_about_size(path: Path, member: str, declared: int) -> None:
    """Rewrite the uncompressed size of ``member`` in the local and central headers."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    pos = 0
    patched = 0
    while (pos := data.find(b"PK\x01\x02", pos)) != -1:  # central directory entries
        (name_len,) = struct.unpack_from("<H", data, pos + 28)
        if bytes(data[pos + 46 : pos + 46 + name_len]) == name:
            struct.pack_into("<I", data, pos + 24, declared)
            (local,) = struct.unpack_from("<I", data, pos + 42)
            struct.pack_into("<I", data, local + 22, declared)
            patched += 1
        pos += 4
    assert patched == 1
    path.write_bytes(bytes(data))


def source(path: Path):
    files, skipped = discover(path.parent)
    assert not skipped
    return next(f for f in files if f.path == path.resolve())


def run_one_worker(*args: str, cache: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, cache=cache, env=env, workers=1, timeout=240)


def open_engine(corpus: Path, cache: Path, **overrides) -> Engine:
    settings = load_settings(overrides={"corpus": str(corpus), "cache_dir": str(cache), "workers": 1, **overrides})
    return Engine.open(settings)


def assert_good_report_answered(engine: Engine) -> None:
    first = shown(engine.answer(QUESTION))[0]
    assert ANSWER in first.text and first.citation.path == GOOD


def skipped_reasons(engine: Engine) -> dict[str, str]:
    return {s.path: s.reason for s in engine.skipped}


# --- .docx ------------------------------------------------------------------------------------------


def test_a_real_docx_is_read(tmp_path: Path):
    path = write_docx(tmp_path / "report.docx", "某县教育局工作总结", "全县新建学校7所，投入资金3.5亿元。")
    text, digest = read_text(source(path), 2**20, 2**20)
    assert text.splitlines() == ["某县教育局工作总结", "全县新建学校7所，投入资金3.5亿元。"]
    assert len(digest) == 64


def test_truncated_docx_is_skipped(tmp_path: Path):
    whole = write_docx(tmp_path / "whole.docx", "全县新建学校7所，投入资金3.5亿元。" * 50).read_bytes()
    for cut in (len(whole) // 2, len(whole) - 30, 100):
        path = tmp_path / f"cut{cut}.docx"
        path.write_bytes(whole[:cut])
        result = process_file(source(path), PARAMS)
        assert isinstance(result, Skipped) and "损坏" in result.reason, (cut, result)


def test_docx_with_corrupted_compressed_data_is_skipped(tmp_path: Path):
    path = write_zip(
        tmp_path / "flipped.docx",
        {
            "[Content_Types].xml": CONTENT_TYPES.encode(),
            "word/document.xml": document_xml(*(f"第{i}段：全县新建学校{i}所。" for i in range(300))),
        },
    )
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename.encode())
    for i in range(start + 10, start + info.compress_size - 10, 7):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    result = process_file(source(path), PARAMS)
    assert isinstance(result, Skipped) and "损坏" in result.reason


def test_zip_bomb_is_refused_from_its_header_without_inflating(tmp_path: Path, monkeypatch):
    path = write_zip_bomb(tmp_path / "bomb.docx", 100 * 2**20)
    assert path.stat().st_size < 2**20  # 100 MB of XML in well under 1 MB
    opened: list[str] = []
    real_open = zipfile.ZipFile.open
    monkeypatch.setattr(
        zipfile.ZipFile, "open", lambda self, name, *a, **k: opened.append(str(name)) or real_open(self, name, *a, **k)
    )
    result = process_file(source(path), PARAMS)  # default limit: 64 MB of XML
    assert isinstance(result, Skipped)
    assert "过大" in result.reason and "压缩炸弹" in result.reason and "max_docx_xml_mb" in result.reason
    assert opened == []  # refused from the directory entry: nothing was inflated


def test_zip_bomb_with_a_lying_header_inflates_at_most_the_limit(tmp_path: Path):
    path = write_zip_bomb(tmp_path / "liar.docx", 64 * 2**20)
    lie_about_size(path, "word/document.xml", 1000)
    limit = 2**20
    tracemalloc.start()
    try:
        with pytest.raises(UnreadableFile) as err:
            read_docx(path.read_bytes(), limit)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "docx" in str(err.value)
    assert peak < 8 * limit  # bounded by the limit, not by the 64 MB the member inflates to


def test_lying_header_over_the_limit_is_refused(tmp_path: Path):
    path = write_zip_bomb(tmp_path / "liar.docx", 8 * 2**20)
    lie_about_size(path, "word/document.xml", 2**30)  # claims 1 GB: refused up front
    with pytest.raises(UnreadableFile, match="过大"):
        read_docx(path, 64 * 2**20)


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE w:document [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/x.dtd"> %remote;]>',
        '<!DOCTYPE w:document [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>',
        '<!DOCTYPE w:document SYSTEM "file:///etc/passwd">',
    ],
    ids=["external-entity", "parameter-entity", "billion-laughs", "external-dtd"],
)
def test_docx_with_dtd_or_entities_is_refused_unresolved(tmp_path: Path, prolog: str):
    reference = "&xxe;" if "xxe" in prolog else "&d;" if "ENTITY d" in prolog else ""
    xml = document_xml("全县新建学校7所。", f"正文{reference}", prolog=prolog)
    path = write_zip(tmp_path / "xxe.docx", {"[Content_Types].xml": CONTENT_TYPES.encode(), "word/document.xml": xml})
    result = process_file(source(path), PARAMS)
    assert isinstance(result, Skipped) and "DTD" in result.reason


def test_docx_without_document_xml_is_skipped(tmp_path: Path):
    path = write_zip(tmp_path / "empty.docx", {"[Content_Types].xml": CONTENT_TYPES.encode()})
    result = process_file(source(path), PARAMS)
    assert isinstance(result, Skipped) and "缺少 word/document.xml" in result.reason


def test_encrypted_member_is_skipped(tmp_path: Path):
    path = write_zip(tmp_path / "locked.docx", {"word/document.xml": document_xml("全县新建学校7所。")})
    data = bytearray(path.read_bytes())
    for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # set the "encrypted" flag bit
        pos = data.find(sig)
        (flags,) = struct.unpack_from("<H", data, pos + flag_at)
        struct.pack_into("<H", data, pos + flag_at, flags | 0x1)
    path.write_bytes(bytes(data))
    result = process_file(source(path), PARAMS)
    assert isinstance(result, Skipped) and "加密" in result.reason


@pytest.mark.parametrize(
    "name, data, why",
    [
        ("plain.docx", "这其实是一个文本文件。".encode(), "内容不是 Word 文档"),
        ("garbage.docx", b"PK" + os.urandom(3000), "不是有效的 .docx"),
        ("old-word.docx", bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 600, "内容不是 Word 文档"),
        ("archive.txt", b"PK\x03\x04" + b"\x00" * 200, "压缩包"),
        ("picture.md", b"\x89PNG\r\n\x1a\n" + b"\x00\x10IHDR" + os.urandom(500), "二进制"),
        ("latin1.txt", "Ce rapport décrit l'école, côté élèves.".encode("latin-1") + b"\xff\xfe\x80" * 20, "编码"),
        ("bad-bom.txt", b"\xff\xfe" + b"\x00\xd8" * 3, "字节顺序标记"),
    ],
)
def test_files_that_are_not_what_their_extension_says(tmp_path: Path, name: str, data: bytes, why: str):
    (tmp_path / name).write_bytes(data)
    result = process_file(source(tmp_path / name), PARAMS)
    assert isinstance(result, Skipped) and why in result.reason, result
    assert result.path == name


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gb18030"])
def test_text_cut_in_the_middle_of_a_character_is_still_read(tmp_path: Path, encoding: str):
    text = (SEEDS / GOOD).read_text(encoding="utf-8").rstrip()  # ends with a Chinese character
    assert len(text[-1].encode(encoding)) > 1
    data = text.encode(encoding)
    (tmp_path / "cut.txt").write_bytes(data[:-1])  # the last character loses a byte
    result = process_file(source(tmp_path / "cut.txt"), PARAMS)
    assert isinstance(result, FileResult)
    assert result.text == text[:-1]
    assert any(ANSWER in result.text[s:e] for c in result.chunks for s, e in c[6])


# --- symlinks -----------------------------------------------------------------------------------------


def test_symlinks_never_lead_outside_and_loops_end(tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("某县机密文件：全县学校机密数字4242所。\n", encoding="utf-8")
    corpus = corpus_with_good_report(tmp_path / "corpus")
    sub = corpus / "sub"
    sub.mkdir()
    (sub / "up").symlink_to(corpus, target_is_directory=True)  # a loop through the root
    (sub / "self").symlink_to(sub / "self")  # a link to itself
    (corpus / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    (corpus / "secret.txt").symlink_to(outside / "secret.txt")
    (corpus / "outside-dir").symlink_to(outside, target_is_directory=True)
    (corpus / "relative.txt").symlink_to(Path("..") / "outside" / "secret.txt")
    (corpus / "inside.txt").symlink_to(corpus / GOOD)  # inside the corpus: followed

    files, skipped = discover(corpus)
    reasons = {s.path: s.reason for s in skipped}
    assert sorted(f.rel for f in files) == sorted([GOOD, "inside.txt"])
    assert "语料文件夹之外" in reasons["secret.txt"]
    assert "语料文件夹之外" in reasons["outside-dir"]
    assert "语料文件夹之外" in reasons["relative.txt"]
    assert "无效或循环" in reasons["dangling.txt"]
    assert "无效或循环" in reasons["sub/self"]
    assert "循环" in reasons["sub/up"]
    assert all(outside not in f.path.resolve().parents for f in files)

    engine = open_engine(corpus, tmp_path / "cache")
    assert_good_report_answered(engine)
    assert not engine.answer("机密数字4242所").answered
    assert set(reasons) <= set(skipped_reasons(engine))


def test_symlink_loops_between_folders_are_read_once(tmp_path: Path):
    corpus = corpus_with_good_report(tmp_path / "corpus")
    (corpus / "a").mkdir()
    (corpus / "b").mkdir()
    (corpus / "a" / "to-b").symlink_to(corpus / "b", target_is_directory=True)
    (corpus / "b" / "to-a").symlink_to(corpus / "a", target_is_directory=True)
    (corpus / "b" / "note.txt").write_text("某县教育局：全县新建学校7所，投入资金3.5亿元。\n", encoding="utf-8")
    files, skipped = discover(corpus)
    assert [f.rel for f in files].count("b/note.txt") + [f.rel for f in files].count("a/to-b/note.txt") == 1
    assert any("循环或重复" in s.reason for s in skipped)


# --- unreadable files and folders -------------------------------------------------------------------


def _deny(monkeypatch, denied: set[Path]) -> None:
    """Make opening ``denied`` paths fail with EACCES, as chmod 000 does for a normal user."""
    real_open, real_scandir = os.open, os.scandir

    def guarded_open(path, flags, *args, **kwargs):
        if Path(path).resolve() in denied:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, flags, *args, **kwargs)

    def guarded_scandir(path="."):
        if Path(path).resolve() in denied:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_scandir(path)

    monkeypatch.setattr(loader.os, "open", guarded_open)
    monkeypatch.setattr(loader.os, "scandir", guarded_scandir)


def test_unreadable_file_and_folder_are_reported(tmp_path: Path, monkeypatch):
    corpus = corpus_with_good_report(tmp_path / "corpus")
    locked_file = corpus / "locked.txt"
    locked_file.write_text("某县教育局：全县新建学校7所。\n", encoding="utf-8")
    locked_dir = corpus / "locked-dir"
    locked_dir.mkdir()
    (locked_dir / "inner.txt").write_text("某县教育局：全县新建学校9所。\n", encoding="utf-8")
    locked_file.chmod(0)
    locked_dir.chmod(0)
    try:
        # As root, chmod 000 does not stop reading; then the operating system's refusal is
        # simulated at the two places the loader opens things.
        if os.geteuid() == 0 or os.access(locked_file, os.R_OK):
            _deny(monkeypatch, {locked_file.resolve(), locked_dir.resolve()})
        engine = open_engine(corpus, tmp_path / "cache")
    finally:
        locked_file.chmod(0o644)
        locked_dir.chmod(0o755)
    reasons = skipped_reasons(engine)
    assert reasons["locked.txt"] == "无法读取（没有读取权限）"
    assert reasons["locked-dir"] == "无法读取文件夹（没有读取权限）"
    assert_good_report_answered(engine)


def test_file_deleted_or_replaced_after_discovery(tmp_path: Path):
    corpus = corpus_with_good_report(tmp_path / "corpus")
    gone = corpus / "gone.txt"
    gone.write_text("某县教育局：全县新建学校7所。\n", encoding="utf-8")
    fifo = corpus / "pipe.txt"
    fifo.write_text("某县教育局：全县新建学校7所。\n", encoding="utf-8")
    files, _ = discover(corpus)
    gone.unlink()
    fifo.unlink()
    os.mkfifo(fifo)  # opening a FIFO for reading would block forever
    results = {f.rel: process_file(f, PARAMS) for f in files}
    assert results["gone.txt"] == Skipped("gone.txt", "无法读取（文件已不存在）")
    assert results["pipe.txt"] == Skipped("pipe.txt", "不是普通文件，已跳过")
    assert isinstance(results[GOOD], FileResult)


def test_file_that_grew_after_discovery_is_not_read_past_the_limit(tmp_path: Path):
    path = tmp_path / "growing.txt"
    path.write_text("全县新建学校7所。\n", encoding="utf-8")
    found = source(path)
    with open(path, "ab") as fh:
        fh.write(b"x" * (2 * 2**20))
    with pytest.raises(UnreadableFile, match="过大"):
        read_text(found, 2**20, 2**20)


# --- the whole path: one corpus of hostile files, `reportqa index`, then a question ------------------


def test_index_lists_every_hostile_file_by_name_and_answers_the_rest(tmp_path: Path):
    corpus = corpus_with_good_report(tmp_path / "corpus")
    whole = write_docx(tmp_path / "whole.docx", "全县新建学校7所，投入资金3.5亿元。" * 40).read_bytes()
    (corpus / "truncated.docx").write_bytes(whole[: len(whole) // 2])
    write_zip_bomb(corpus / "bomb.docx", 65 * 2**20)
    write_zip(
        corpus / "xxe.docx",
        {
            "word/document.xml": document_xml(
                "&xxe;", prolog='<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            )
        },
    )
    (corpus / "fake.docx").write_text("这其实是一个文本文件。", encoding="utf-8")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (corpus / "empty.md").write_bytes(b"")
    (corpus / "outside.txt").symlink_to(SEEDS / "2021_溆浦县教育局_教育工作总结.txt")
    cache = tmp_path / "cache"

    proc = run_one_worker("index", "--corpus", str(corpus), cache=cache)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "已重建索引：1 份报告" in proc.stdout
    assert "跳过 7 个文件" in proc.stdout
    listed = {line.split("：", 1)[0].strip(" -"): line for line in proc.stdout.splitlines() if line.startswith("  - ")}
    assert set(listed) == {
        "truncated.docx",
        "bomb.docx",
        "xxe.docx",
        "fake.docx",
        "binary.txt",
        "empty.md",
        "outside.txt",
    }
    assert "压缩炸弹" in listed["bomb.docx"] and "DTD" in listed["xxe.docx"]
    assert "语料文件夹之外" in listed["outside.txt"]

    ask = run_one_worker("ask", "--json", "--corpus", str(corpus), QUESTION, cache=cache)
    assert ask.returncode == 0 and ask.stderr == ""
    data = json.loads(ask.stdout)
    assert data["answered"] and ANSWER in data["sentences"][0]["text"]
    assert "root:" not in ask.stdout


# --- size: big files and many files (slow) -----------------------------------------------------------

PEAK_RSS = """
import resource, sys
from bot.cli import main
code = main(sys.argv[2:])
usage = resource.getrusage
peak = max(usage(resource.RUSAGE_SELF).ru_maxrss, usage(resource.RUSAGE_CHILDREN).ru_maxrss)
open(sys.argv[1], "w").write(str(peak * 1024))
sys.exit(code)
"""


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_200_mb_text_file_is_refused_in_bounded_memory(tmp_path: Path):
    corpus = corpus_with_good_report(tmp_path / "corpus")
    block = (SEEDS / "2021_溆浦县教育局_教育工作总结.txt").read_bytes()
    with open(corpus / "huge.txt", "wb") as fh:
        while fh.tell() < 200 * 2**20:
            fh.write(block)
    peak_file = tmp_path / "peak"
    env = {**os.environ, "REPORTQA_CACHE_DIR": str(tmp_path / "cache"), "REPORTQA_WORKERS": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, str(peak_file), "index", "--corpus", str(corpus)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert "  - huge.txt：文件过大（200 MB，上限 32 MB，可在设置 max_file_mb 中调整）" in proc.stdout
    assert "已重建索引：1 份报告" in proc.stdout
    assert int(peak_file.read_text()) < 400 * 2**20  # never read into memory


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_twenty_thousand_tiny_files(tmp_path: Path):
    corpus = corpus_with_good_report(tmp_path / "corpus")
    for folder in range(20):
        sub = corpus / f"batch{folder:02d}"
        sub.mkdir()
        for i in range(1000):
            n = folder * 1000 + i
            (sub / f"note{i:04d}.txt").write_text(
                f"第{n}号简报\n本单位第{n}号简报记录：完成校舍检查{n % 97 + 1}次，整改隐患若干。\n", encoding="utf-8"
            )
    calls: list[tuple[int, int, int]] = []
    settings = load_settings(overrides={"corpus": str(corpus), "cache_dir": str(tmp_path / "cache"), "workers": 2})
    engine = Engine.open(settings, progress=lambda *a: calls.append(a))
    assert engine.report.documents == 20_001 and not engine.report.skipped
    assert calls[-1][:2] == (20_001, 20_001)
    assert [c[0] for c in calls] == sorted(c[0] for c in calls)  # progress only moves forward
    assert_good_report_answered(engine)
    again = Engine.open(settings)  # loads from the cache
    assert not again.report.rebuilt and again.report.documents == 20_001
