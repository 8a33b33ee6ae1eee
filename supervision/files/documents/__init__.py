"""公文: numbered official documents, rendered as DOCX (GB/T 9704-2012) and PDF.

- ``numbering``: 发文字号 per type and year, gap-free under concurrency (a counter row lock);
- ``content``: what each document says (built from the task, unit or period);
- ``docx``: the DOCX with python-docx; ``pdf``: the PDF with WeasyPrint (see its docstring
  for why); ``sheet``: the printable 督办单 of one task;
- ``services``: ``document_generate`` (the one writer) and ``can_generate``.
"""
