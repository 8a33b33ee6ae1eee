"""PDF for print, rendered by WeasyPrint from an HTML template with Noto CJK (Debian's
``fonts-noto-cjk``, found through fontconfig).

Why WeasyPrint: it is a Python package on top of Pango/HarfBuzz (already on any machine with
a browser; the Dockerfile installs them), lays out CJK text with proper line breaking, takes
the page geometry of GB/T 9704 as CSS (``@page`` margins, page-number boxes), and renders a
page in about 0.3 s in-process. LibreOffice converting the DOCX would keep one layout source
but adds a ~500 MB office suite and a process per conversion (seconds each); reportlab cannot
embed Noto CJK's CFF outlines; fpdf2 re-parses the 20 MB font collection for every document
(~1 s). The cost is a second layout (this template) beside the DOCX: both read the same
``Content``, and the tests check both.

No resource is fetched while rendering (no network, no local files): the templates inline
their CSS, and user text is escaped by Django's templates.
"""

from django.template.loader import render_to_string

from supervision.files.documents.content import Content, chinese_date


def _no_fetch(url, *args, **kwargs):
    raise ValueError(f"documents fetch nothing while rendering: {url!r}")


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported on use: it loads Pango

    return HTML(string=html, url_fetcher=_no_fetch).write_pdf()


def render_pdf(content: Content) -> bytes:
    html = render_to_string(
        "supervision/documents/document.html",
        {"doc": content, "date": chinese_date(content.date)},
    )
    return html_to_pdf(html)
