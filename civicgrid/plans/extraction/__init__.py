"""Policy documents → structure, tasks (lead / cooperating units, deadlines) and targets.

Pure Python, no database: ``extract_file(path)`` and ``extract_text(text)`` return an
:class:`~civicgrid.plans.extraction.types.ExtractedDocument`.
"""
