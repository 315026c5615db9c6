"""Writing content from the command line: a new incident or maintenance, an update appended to one,
a post-mortem, a new site, message templates.

Nothing here renders; everything it writes is read back with the same parser as a build
(`statusgen.content`) before it is saved, and saved atomically, so a command either leaves a valid
file or changes nothing. Appending an update keeps every byte of the file outside the lines it
adds: comments, key order, quoting and line endings included.

- `files`: what the commands share (the site, the entry, an update's YAML text, safe writes);
- `new`: new incidents and maintenance;
- `updates`: appending an update;
- `postmortem`: an incident's post-mortem;
- `init`: a new site;
- `templates`: message templates.
"""

from statusgen.authoring.files import message_text, read_entry, site_of
from statusgen.authoring.init import init_site
from statusgen.authoring.new import NewEntry, new_incident, new_maintenance, slug_of, window_time
from statusgen.authoring.postmortem import PostMortem, set_postmortem, write_postmortem
from statusgen.authoring.templates import template_fields, template_text
from statusgen.authoring.updates import Appended, add_update, append_update
from statusgen.errors import AuthoringError

__all__ = [
    "Appended",
    "AuthoringError",
    "NewEntry",
    "PostMortem",
    "add_update",
    "append_update",
    "init_site",
    "message_text",
    "new_incident",
    "new_maintenance",
    "read_entry",
    "set_postmortem",
    "site_of",
    "slug_of",
    "template_fields",
    "template_text",
    "window_time",
    "write_postmortem",
]
