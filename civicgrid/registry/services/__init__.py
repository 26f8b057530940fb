"""Writes on the base registry (一库): imports, merging by authority, placement.

The names below are the public surface that the web, API, CLI, other registry modules and
tests call. Other modules of this package add their re-exports at the end.
"""

from .imports import (
    CHUNK_ROWS,
    IMPORT_ROLES,
    KIND_NAMES,
    SimulatedCrash,
    error_report_csv,
    import_execute,
    import_execute_later,
    import_is_stalled,
    import_resume,
    import_start,
    imports_visible_to,
    may_import,
    registry_import,
    run_summary,
    sources_for,
    write_error_report,
)
from .merge import Authority, MergeResult, merge_fields
from .placement import (
    ParsedAddress,
    Placer,
    address_key,
    building_key,
    normalise_text,
    parse_address,
)
from .rows import COLUMNS, REQUIRED, column_label

__all__ = [
    "CHUNK_ROWS",
    "COLUMNS",
    "IMPORT_ROLES",
    "KIND_NAMES",
    "REQUIRED",
    "Authority",
    "MergeResult",
    "ParsedAddress",
    "Placer",
    "SimulatedCrash",
    "address_key",
    "building_key",
    "column_label",
    "error_report_csv",
    "import_execute",
    "import_execute_later",
    "import_is_stalled",
    "import_resume",
    "import_start",
    "imports_visible_to",
    "may_import",
    "merge_fields",
    "normalise_text",
    "parse_address",
    "registry_import",
    "run_summary",
    "sources_for",
    "write_error_report",
]
from ..linkage.services import link_candidate_accept, link_candidate_reject, link_source_records  # noqa: F401
from .access import conflict_accept, conflict_reject, person_reveal, persons_export  # noqa: F401
from .collection import (  # noqa: F401
    change_request_confirm,
    change_request_reject,
    change_request_submit,
    change_request_withdraw,
)
from .tags import may_write_tags, special_tag_add, special_tag_end  # noqa: F401
