"""The build benchmark: `python benchmarks/run.py --incidents 10000 [--repeat 3]`.

It writes a deterministic synthetic site (benchmarks/corpus.py) into a temporary folder, measures
the single-core floor of the stack stage by stage (reading, YAML with CSafeLoader, Python-Markdown,
Jinja2, writing), then times `statusgen build` as a fresh process, with its default flags
(`--output-link`: link mode's), its output on the disk of the temporary folder unless `--keep`
says where:

- cold: no cache, no previous output;
- second build: the same build again (with `--output-link`, it also makes link mode's second copy);
- warm, no change: the same build once more (the steady state of a site built before);
- warm, one update: after one incident gains an update;

and reports medians of `--repeat` runs, peak memory (max RSS of the build process and of its
workers) and the ratio of the cold build to the floor, all measured in this one run. The floor and
the builds take turns, after the disk has settled; on a VM whose disk is noisy, `--keep` on a tmpfs
measures the same work without the disk's moods.
"""

from __future__ import annotations

import argparse
import compileall
import gzip
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import jinja2
import markdown
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import NOW, add_update, write_corpus

# A page as plain as a status page can be: layout, navigation, the timeline, the summary.
FLOOR_TEMPLATE = jinja2.Template(
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{{ title }} · Status</title>'
    '<link rel="stylesheet" href="../../static/style.css"></head><body><header><a href="../../">Status</a>'
    '<nav><a href="../../history/">History</a></nav></header><main><h1>{{ title }}</h1>'
    "<dl><dt>Started</dt><dd>{{ updates[0].at if updates else '' }}</dd></dl><ol>"
    '{% for u in updates|reverse %}<li id="update-{{ loop.revindex }}"><time datetime="{{ u.at }}">'
    "{{ u.at }}</time>{{ u.body|safe }}</li>{% endfor %}</ol>{{ summary|safe }}</main>"
    "<footer>Updated {{ now }}</footer></body></html>",
    autoescape=True,
)


def floor(content: Path, scratch: Path) -> dict[str, float]:
    """The stack's single-core cost of the unavoidable stages, each timed alone."""
    times: dict[str, float] = {}
    start = time.perf_counter()
    texts = [p.read_text(encoding="utf-8") for p in sorted(content.rglob("*.md"))]
    times["read"] = time.perf_counter() - start
    start = time.perf_counter()
    documents = []
    for text in texts:
        front, body = text[4:].split("\n---\n", 1)
        documents.append((yaml.load(front, Loader=yaml.CSafeLoader), body))
    times["yaml"] = time.perf_counter() - start
    start = time.perf_counter()
    md = markdown.Markdown(extensions=["fenced_code", "tables", "sane_lists"])
    pages = []
    for data, body in documents:
        updates = [
            {"at": u["at"], "body": md.reset().convert(u["body"])} for u in (data.get("updates") or [])
        ]
        summary = md.reset().convert(body)
        pages.append((data["title"], updates, summary))
    times["markdown"] = time.perf_counter() - start
    start = time.perf_counter()
    html = [
        FLOOR_TEMPLATE.render(title=title, updates=updates, summary=summary)
        for title, updates, summary in pages
    ]
    times["jinja2"] = time.perf_counter() - start
    start = time.perf_counter()
    for number, page in enumerate(html):
        folder = scratch / f"p{number}"
        folder.mkdir(parents=True)
        (folder / "index.html").write_bytes(page.encode())
    times["write"] = time.perf_counter() - start
    times["floor"] = sum(times.values())
    return times


def timed_build(content: Path, output: Path, linked: bool) -> tuple[float, int]:
    """Run `statusgen build` in a fresh process, with its default flags (or `--output-link`):
    (seconds, peak RSS in MB of it and its workers)."""
    command = [sys.executable, "-m", "statusgen", "build", "--content", str(content), "--output", str(output)]
    command += ["--now", NOW.isoformat(), *(["--output-link"] if linked else [])]
    # The probe times the build from its start to its end (the probe's own start is left out)
    # and reads the peak memory of the build and its workers, which only a parent can see.
    probe = (
        "import resource, subprocess, sys, time;"
        "start = time.perf_counter();"
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL);"
        "print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, *command], check=True, capture_output=True, text=True
    )
    elapsed, memory = result.stdout.split()
    return float(elapsed), int(memory) // 1024


def settle() -> None:
    """Flush pending writes (and the discards of deleted files) before the next measurement."""
    os.sync()
    time.sleep(1)


def page_weights(output: Path) -> dict[str, float]:
    """Gzipped sizes in KB of the pages that matter on a phone."""

    def gz(path: Path) -> float:
        return len(gzip.compress(path.read_bytes(), 9, mtime=0)) / 1024

    incident = next((output / "incidents").iterdir()) / "index.html"
    css = next((output / "static").glob("*.css"))
    return {"index.html": gz(output / "index.html"), "an incident page": gz(incident), "stylesheet": gz(css)}


def main() -> None:
    """Generate the corpus, measure, print the table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--incidents", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--output-link",
        action="store_true",
        help="time link mode (`build --output-link`) instead of the default flags",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        help="work in this folder and keep it (on a tmpfs such as /dev/shm/x, disk noise is left out)",
    )
    args = parser.parse_args()
    # An installed package has its bytecode compiled (pip does it); a working tree run under
    # PYTHONDONTWRITEBYTECODE would compile statusgen's modules again in every build it times.
    compileall.compile_dir(Path(__file__).resolve().parent.parent / "statusgen", quiet=1)
    root = args.keep or Path(tempfile.mkdtemp(prefix="statusgen-bench-"))
    try:
        content = write_corpus(root, args.incidents)
        updates = sum(p.read_text(encoding="utf-8").count("\n  - at: ") for p in content.rglob("*.md"))
        floors = []
        second = "second build (fills link mode's other copy)" if args.output_link else "second build"
        results: dict[str, list[tuple[float, int]]] = {
            "cold": [],
            second: [],
            "warm, no change": [],
            "warm, one update": [],
        }
        for n in range(args.repeat):
            # The floor and the builds take turns, each after the disk has settled, so that both
            # meet the same disk: on a VM, writing 10,000 files is slower after much was deleted.
            settle()
            floors.append(floor(content, root / f"floor-{n}"))
            shutil.rmtree(root / f"floor-{n}")
            output = root / f"public-{n}"
            for cache in root.glob(".statusgen-cache*"):
                shutil.rmtree(cache)
            settle()
            results["cold"].append(timed_build(content, output, args.output_link))
            # Link mode keeps two copies; the second build makes the other one (hard links), once.
            settle()
            results[second].append(timed_build(content, output, args.output_link))
            settle()
            results["warm, no change"].append(timed_build(content, output, args.output_link))
            add_update(content, args.incidents)
            settle()
            results["warm, one update"].append(timed_build(content, output, args.output_link))
            if n == 0:
                weights = page_weights(output)
            if args.output_link:
                shutil.rmtree(os.path.realpath(output).rsplit("/", 1)[0])  # link mode's two copies
                output.unlink()
            else:
                shutil.rmtree(output)

    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    median_floor = {stage: statistics.median(f[stage] for f in floors) for stage in floors[0]}
    print(
        f"statusgen benchmark, {date.today()}, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    flags = "build --output-link" if args.output_link else "build, default flags"
    where = f"in {root}" if args.keep else "in a temporary folder"
    print(
        f"corpus: {args.incidents} incidents, {updates} updates; {flags}, {where}; "
        f"medians of {args.repeat} runs\n"
    )
    print("| single-core floor | seconds |\n| --- | --- |")
    for stage, seconds in median_floor.items():
        print(f"| {stage} | {seconds:.2f} |")
    print("\n| statusgen build | seconds | peak memory (MB) | vs floor |\n| --- | --- | --- | --- |")
    for name, runs in results.items():
        seconds = statistics.median(r[0] for r in runs)
        memory = max(r[1] for r in runs)
        print(f"| {name} | {seconds:.2f} | {memory} | {seconds / median_floor['floor']:.2f}× |")
    print("\n| page | gzipped KB |\n| --- | --- |")
    for name, size in weights.items():
        print(f"| {name} | {size:.1f} |")


if __name__ == "__main__":
    main()
