"""In an editor, the schemas say what jsonschema says: yaml-language-server (the engine of VS Code's
YAML extension, with ECMAScript regular expressions and YAML 1.2) validates every document of the
fixtures and targeted cases of test_schema.py, and reads the line `init` writes at the top of
site.yaml. Installs yaml-language-server from npm on first use; skips loudly without node or npm."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from statusgen import ContentError
from statusgen.frontmatter import decode, split
from statusgen.schema import KINDS, SITE_SCHEMA_PATH, schema_file
from tests.conftest import write_tree
from tests.schema_agreement import documents, read_document, validator
from tests.test_schema import ACCEPTED, INVALID, REFUSED, SITE, VALID, invalid_case, starter_content
from tests.tools import npm_package

pytestmark = pytest.mark.slow  # (runs the yaml-language-server from npm)

YAML_LANGUAGE_SERVER = "2.0.0"
SCRIPT = Path(__file__).parent / "yaml_language_server.mjs"

# Documents whose verdicts differ, and why: YAML 1.2 (the editor's) reads some values otherwise than
# YAML 1.1 (statusgen's), and there the editor agrees with the loader where jsonschema cannot.
READ_OTHERWISE = {
    "refused/draft: yes/incidents/down.md": "YAML 1.2 reads yes as text: flagged, as by the loader",
    "invalid/non-text-keys/incidents/keys.md": "a `null:` key stops yaml-language-server validating it",
}


def run_editor(requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Validate (and hover in) files with yaml-language-server, as VS Code's YAML extension does."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("LOUD SKIP: node is not installed; the schemas were not tried in yaml-language-server")
    package = npm_package("yaml-language-server", YAML_LANGUAGE_SERVER)
    result = subprocess.run(
        [node, str(SCRIPT), str(package)],
        input=json.dumps(requests),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    answers: list[dict[str, Any]] = json.loads(result.stdout)
    return answers


@dataclass(frozen=True)
class Document:
    """One YAML document of the fixtures, written to a file that points at its schema."""

    label: str
    file: Path
    python_valid: bool


def collect(tmp_path: Path) -> list[Document]:
    """Every document statusgen can load from the valid and invalid fixtures and the targeted
    cases, written as YAML files beside copies of the schemas, with jsonschema's verdict."""
    folder = tmp_path / "editor"
    for kind in KINDS:
        (folder / "schemas").mkdir(parents=True, exist_ok=True)
        shutil.copy(schema_file(kind), folder / "schemas" / f"{kind}.schema.json")
    sources: dict[str, Path] = {}
    for name, make in VALID.items():
        sources[f"valid/{name}"] = make(tmp_path / "valid" / name)
    for folder_name in sorted(p.name for p in INVALID.iterdir() if p.is_dir()):
        sources[f"invalid/{folder_name}"] = invalid_case(folder_name, tmp_path / "invalid" / folder_name)
    for title, cases in (("accepted", ACCEPTED), ("refused", REFUSED)):
        for name, case in cases.items():
            root = tmp_path / title / str(len(sources)) / "content"
            sources[f"{title}/{name}"] = write_tree(root, {"site.yaml": SITE, **case.files})
    found: list[Document] = []
    for source, content in sources.items():
        for shown, path, kind, _ in documents(content):
            try:
                data = read_document(path, shown)
            except ContentError:
                continue  # (statusgen cannot load it; an editor reports the YAML error itself)
            text = decode(shown, path.read_bytes())
            text = split(shown, text).front if shown.endswith(".md") else text
            lines = [line for line in text.splitlines() if not line.startswith("# yaml-language-server:")]
            file = folder / f"{len(found)}.yaml"
            modeline = f"# yaml-language-server: $schema=schemas/{kind}.schema.json"
            file.write_text("\n".join([modeline, *lines]) + "\n", encoding="utf-8")
            label = f"{source}/{path.relative_to(content).as_posix()}"
            found.append(Document(label, file, validator(kind).is_valid(data)))
    return found


def test_the_editor_and_jsonschema_agree_on_every_document(tmp_path: Path) -> None:
    """yaml-language-server flags a document exactly when jsonschema rejects it, but for documents
    YAML 1.2 reads otherwise (listed)."""
    found = collect(tmp_path)
    assert len(found) > 100
    answers = run_editor([{"file": str(document.file)} for document in found])
    differ = {}
    for document, answer in zip(found, answers, strict=True):
        editor_valid = not answer["diagnostics"]
        if editor_valid != document.python_valid:
            differ[document.label] = answer["diagnostics"]
    assert set(differ) == set(READ_OTHERWISE), differ


def test_the_editor_finds_the_site_schema_init_writes_and_shows_its_descriptions(tmp_path: Path) -> None:
    """The `# yaml-language-server: $schema=…` line of the site.yaml that init writes leads the
    editor to the schema beside it (and the example's, to the package's): no diagnostic, a
    description on hover, and mistakes flagged on their lines with the schemas' messages."""
    content = starter_content(tmp_path)
    site = content / "site.yaml"
    text = site.read_text(encoding="utf-8")
    lines = text.splitlines()
    base_url = next(number for number, line in enumerate(lines) if line.startswith("base_url:"))
    broken = content / "broken.yaml"
    broken.write_text(
        text.replace("timezone:", "timzone:")
        .replace("id: web ", "id: Web ")
        .replace("base_url: https://status.example.com/", "base_url: https://user:pw@status.example.com/")
        .replace("recent_days: 7", "recent_days: -1"),
        encoding="utf-8",
    )
    assert (content / SITE_SCHEMA_PATH).is_file()
    example = Path(__file__).parent.parent / "content" / "site.yaml"  # (its line names the package's schema)
    clean, mistakes, in_the_repository = run_editor(
        [{"file": str(site), "hover": [[base_url, 2]]}, {"file": str(broken)}, {"file": str(example)}]
    )
    assert clean["diagnostics"] == [] and in_the_repository["diagnostics"] == []
    [hover] = clean["hover"]
    assert hover and "#### Base URL" in hover and "an absolute http(s) URL" in hover
    shown = {(line, message) for line, message in mistakes["diagnostics"]}
    broken_lines = broken.read_text(encoding="utf-8").splitlines()

    def line_of(start: str) -> int:
        return next(number for number, line in enumerate(broken_lines) if line.lstrip().startswith(start))

    assert shown == {
        (line_of("timzone:"), "Property timzone is not allowed."),
        (line_of("- id: Web"), "expected an id of lower-case letters, digits, - and _ (such as api)"),
        (
            line_of("base_url:"),
            "expected an absolute http(s) URL such as https://status.example.com/ (no user name or password, "
            "query, fragment, space or character other than ASCII)",
        ),
        (line_of("recent_days: -1"), "Value is below the minimum of 0."),
    }
