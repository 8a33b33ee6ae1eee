"""Domain-wide helpers every app uses and that depend on none of them: the one clock
(``clock``), check constraints judged in one query (``constraints``), domain errors
(``errors``), the in-process event bus (``events``) and field validators (``validators``)."""
