"""The DOCX of a document in the GB/T 9704-2012 layout (党政机关公文格式), with python-docx.

A4; 版心 156 × 225 mm (top 37, bottom 35, left 28, right 26 mm); body 3号 (16 pt) 仿宋 at
a fixed 28.95 pt line (22 lines × 28 characters a page). From the top: 发文机关标志 (red,
centred) · two lines · 发文字号 (centred) with the red 分隔线 4 mm below it · two lines ·
标题 (2号 小标宋, centred) · one line · 主送机关 (flush left, full-width colon) · 正文 (two
characters' indent) · one line · 发文机关署名 and 成文日期 (right, the date four characters
in from the right edge) · 版记 (抄送, 印发机关和印发日期 between a thick and a thin rule).
Page numbers "— 1 —" in 4号 宋体 at the foot. Fonts are named as Chinese offices have them
(方正小标宋简体, 仿宋_GB2312, 黑体, 宋体); the PDF uses Noto CJK instead.
"""

import functools
import io

from docx import Document as Docx
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from supervision.files.documents.content import Content, chinese_date

RED = RGBColor(0xFF, 0x00, 0x00)
LINE = Pt(28.95)  # 22 lines in the 225 mm 版心
FANGSONG, XIAOBIAOSONG, HEITI, SONGTI = "仿宋_GB2312", "方正小标宋简体", "黑体", "宋体"
SIZE_3, SIZE_2, SIZE_4 = Pt(16), Pt(22), Pt(14)


def _font(run, name: str, size, *, color=None, bold=False) -> None:
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def _paragraph(
    doc,
    text: str = "",
    *,
    align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    font=FANGSONG,
    size=SIZE_3,
    color=None,
    indent_chars: float = 0,
    lines_before: float = 0,
    exact=True,
):
    paragraph = doc.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.alignment = align
    fmt.space_before = Pt(LINE.pt * lines_before)
    fmt.space_after = Pt(0)
    if exact:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = LINE
    if indent_chars:
        fmt.first_line_indent = Pt(size.pt * indent_chars)
    if text:
        _font(paragraph.add_run(text), font, size, color=color)
    return paragraph


def _border(paragraph, edge: str, *, size_eighths: int, color: str = "000000", space: int = 1):
    props = paragraph._p.get_or_add_pPr()
    borders = props.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        props.append(borders)
    line = OxmlElement(f"w:{edge}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(size_eighths))
    line.set(qn("w:space"), str(space))
    line.set(qn("w:color"), color)
    borders.append(line)


def _page_numbers(section) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run("— "), SONGTI, SIZE_4)
    run = paragraph.add_run()
    _font(run, SONGTI, SIZE_4)
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind:
            field = OxmlElement("w:fldChar")
            field.set(qn("w:fldCharType"), kind)
        else:
            field = OxmlElement("w:instrText")
            field.set(qn("xml:space"), "preserve")
            field.text = text
        run._r.append(field)
    _font(paragraph.add_run(" —"), SONGTI, SIZE_4)


def _table(doc, table: dict) -> None:
    grid = doc.add_table(rows=1, cols=len(table["columns"]))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(grid.rows[0].cells, table["columns"], strict=True):
        _font(cell.paragraphs[0].add_run(text), HEITI, SIZE_4)
    for row in table["rows"]:
        cells = grid.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            _font(cell.paragraphs[0].add_run(str(text)), FANGSONG, SIZE_4)


KEPT_STYLES = {"Normal", "Table Grid", "Default Paragraph Font", "Normal Table"}
DROPPED_PARTS = ("/stylesWithEffects", "/customXml", "/webSettings", "/numbering", "/thumbnail")


@functools.cache
def _base() -> bytes:
    """python-docx's default document reduced to what a 公文 uses (page set-up, Normal and
    Table Grid styles): its 440 KB ``stylesWithEffects`` part, latent styles, thumbnail and
    custom XML would otherwise be parsed and re-compressed for every document (~25 ms)."""
    doc = Docx()
    styles = doc.styles.element
    styles.remove(styles.find(qn("w:latentStyles")))
    for style in list(doc.styles):
        if style.name not in KEPT_STYLES:
            styles.remove(style.element)
    for owner in (doc.part, doc.part.package):
        for rid, rel in list(owner.rels.items()):
            if rel.reltype.endswith(DROPPED_PARTS):
                owner.rels.pop(rid)
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28 - 7)  # the page number sits 7 mm below the 版心
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FANGSONG, SIZE_3
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FANGSONG)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def render_docx(content: Content) -> bytes:
    doc = Docx(io.BytesIO(_base()))
    section = doc.sections[0]

    # 版头: 发文机关标志, 发文字号, the red rule
    _paragraph(
        doc,
        content.issuer,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        font=XIAOBIAOSONG,
        size=Pt(30),
        color=RED,
        exact=False,
    )
    number = _paragraph(doc, content.code, align=WD_ALIGN_PARAGRAPH.CENTER, lines_before=2)
    number.paragraph_format.space_after = Mm(4)
    _border(number, "bottom", size_eighths=12, color="FF0000", space=11)
    # 主体: 标题, 主送机关, 正文
    _paragraph(
        doc,
        content.title,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        font=XIAOBIAOSONG,
        size=SIZE_2,
        lines_before=2,
        exact=False,
    )
    _paragraph(doc, f"{content.addressee}：", align=WD_ALIGN_PARAGRAPH.LEFT, lines_before=1)
    for text in content.paragraphs:
        _paragraph(doc, text, indent_chars=2)
    if content.table:
        _table(doc, content.table)
    # 发文机关署名 and 成文日期 (no seal: signature two characters in from the right, the
    # date under it four characters in)
    signature = _paragraph(doc, content.issuer, align=WD_ALIGN_PARAGRAPH.RIGHT, lines_before=1)
    signature.paragraph_format.right_indent = Pt(SIZE_3.pt * 2)
    date = _paragraph(doc, chinese_date(content.date), align=WD_ALIGN_PARAGRAPH.RIGHT)
    date.paragraph_format.right_indent = Pt(SIZE_3.pt * 4)
    # 版记
    first = True
    if content.copy_to:
        copy = _paragraph(
            doc,
            f"抄送：{content.copy_to}。",
            align=WD_ALIGN_PARAGRAPH.LEFT,
            size=SIZE_4,
            lines_before=2,
        )
        copy.paragraph_format.left_indent = Pt(SIZE_4.pt)
        _border(copy, "top", size_eighths=8)
        first = False
    printed = _paragraph(
        doc, align=WD_ALIGN_PARAGRAPH.LEFT, size=SIZE_4, lines_before=2 if first else 0
    )
    printed.paragraph_format.left_indent = Pt(SIZE_4.pt)
    printed.paragraph_format.tab_stops.add_tab_stop(
        Mm(156) - Pt(SIZE_4.pt * 2), WD_TAB_ALIGNMENT.RIGHT
    )
    _font(printed.add_run(f"{content.issuer}\t{chinese_date(content.date)}印发"), FANGSONG, SIZE_4)
    _border(printed, "top", size_eighths=8 if first else 6)
    _border(printed, "bottom", size_eighths=8)
    _page_numbers(section)
    out = io.BytesIO()
    doc.core_properties.title = content.title
    doc.core_properties.identifier = content.code
    doc.save(out)
    return out.getvalue()
