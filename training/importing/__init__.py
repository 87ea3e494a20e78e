"""``talentcluster data import``: validated, idempotent loading of observations, profiles and projects.

The format is documented in ``docs/import-format.md``.
"""

from training.importing.loader import ImportReport, detect_kind, import_file, read_table

__all__ = ["ImportReport", "detect_kind", "import_file", "read_table"]
