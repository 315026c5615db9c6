"""Content files to typed models: `site.yaml`, incidents and maintenance, translations, with every
problem located.

Parsing works on strings (`parse_site`, `parse_incident`, `parse_maintenance`); the load stage
(`plan_content`, `read_document`, `assemble_content`, run together by `load_content`) wraps them
with the files of a content folder and adds the checks that span files (duplicate slugs,
translations). Every problem of every file is collected before anything is raised.

- `reader`: the field reader every document is read with (`Reader`, `describe`, `one_line`);
- `site`: `site.yaml`;
- `incidents`: incidents and maintenance (v2 updates, post-mortems, rescheduled windows, drafts);
- `translations`: `<slug>.<language>.md` and its agreement with the original;
- `walk`: the content folder (its files, never through a link) and the load stage.
"""

from statusgen.content.incidents import (
    INCIDENT_KEYS,
    INCIDENT_UPDATE_KEYS,
    MAINTENANCE_KEYS,
    UPDATE_KEYS,
    parse_incident,
    parse_maintenance,
    slug_for,
)
from statusgen.content.reader import (
    DATETIME_EXAMPLE,
    EARLIEST,
    INVISIBLE,
    LATEST,
    Reader,
    describe,
    field_name,
    in_range,
    one_line,
)
from statusgen.content.site import parse_site, url_problem
from statusgen.content.walk import (
    MAX_FILE_BYTES,
    ContentFile,
    ContentPlan,
    DocumentResult,
    assemble_content,
    content_files,
    load_content,
    plan_content,
    read_bytes,
    read_document,
    read_text,
)

__all__ = [
    "DATETIME_EXAMPLE",
    "EARLIEST",
    "INCIDENT_KEYS",
    "INCIDENT_UPDATE_KEYS",
    "INVISIBLE",
    "LATEST",
    "MAINTENANCE_KEYS",
    "MAX_FILE_BYTES",
    "UPDATE_KEYS",
    "ContentFile",
    "ContentPlan",
    "DocumentResult",
    "Reader",
    "assemble_content",
    "content_files",
    "describe",
    "field_name",
    "in_range",
    "load_content",
    "one_line",
    "parse_incident",
    "parse_maintenance",
    "parse_site",
    "plan_content",
    "read_bytes",
    "read_document",
    "read_text",
    "slug_for",
    "url_problem",
]
