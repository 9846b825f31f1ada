"""Pictures of a Word file (retrieval/ingest/formats/docx_tables.py count_pictures): a chart or a
table printed as an image holds no text to read, so the file's notes count it as left out."""

from __future__ import annotations

import io
from pathlib import Path

from retrieval.ingest.formats.docx import read_docx_extracted
from retrieval.ingest.formats.docx_tables import count_pictures
from retrieval.ingest.loader import discover
from retrieval.ingest.process import process_file
from retrieval.ingest.result import FileResult
from tests.pdfbuild import picture

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
WPS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
V = "urn:schemas-microsoft-com:vml"


def test_pictures_of_a_word_file_are_counted_as_left_out(tmp_path: Path):
    import docx

    png = io.BytesIO()
    picture(["2022 exports by market"], size=(600, 120), font_px=24).save(png, format="PNG")
    d = docx.Document()
    d.add_paragraph("某市2022年国民经济和社会发展统计公报")
    d.add_paragraph("全年货物进出口总额5000亿元，比上年增长5.0%。")
    for _ in range(2):
        png.seek(0)
        d.add_picture(png)
    out = io.BytesIO()
    d.save(out)
    notes = read_docx_extracted(out.getvalue(), 10_000_000).notes
    assert notes.pictures == 2 and notes.dropped_text() == "2 张图片（图表或印成图片的表格）未读取"
    (tmp_path / "公报.docx").write_bytes(out.getvalue())
    files, _ = discover(tmp_path)
    result = process_file(files[0], {"max_chunk_chars": 400})
    assert isinstance(result, FileResult) and result.notes["pictures"] == 2


def test_a_picture_is_counted_once_and_a_text_box_is_no_picture():
    """Word writes a picture twice (the drawing, and a VML copy under mc:Fallback for old
    readers) and may nest drawings; a text box's text is read, so it is no picture."""
    from lxml import etree

    xml = f"""<w:document xmlns:w="{W}" xmlns:mc="{MC}" xmlns:wps="{WPS}" xmlns:a="{A}" xmlns:v="{V}"><w:body>
      <w:p><w:r><mc:AlternateContent>
        <mc:Choice Requires="wps"><w:drawing><a:graphic><a:blip/><w:drawing><a:blip/></w:drawing></a:graphic></w:drawing></mc:Choice>
        <mc:Fallback><w:pict><v:shape><v:imagedata/></v:shape></w:pict></mc:Fallback>
      </mc:AlternateContent></w:r></w:p>
      <w:p><w:r><w:drawing><wps:txbx><w:txbxContent><w:p><w:r><w:t>框里的字</w:t></w:r></w:p></w:txbxContent></wps:txbx></w:drawing></w:r></w:p>
      <w:p><w:r><w:pict><v:shape><v:imagedata/></v:shape></w:pict></w:r></w:p>
    </w:body></w:document>"""
    assert count_pictures(etree.fromstring(xml.encode("utf-8"))) == 2
