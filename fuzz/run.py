"""Long fuzzing runs: the properties of tests/test_fuzz.py with as many examples as you like.

    .venv/bin/python fuzz/run.py --examples 100000                 # every property
    .venv/bin/python fuzz/run.py --examples 5000 --property html --seed 7
    .venv/bin/python fuzz/run.py --examples 300 --property shapes   # whole files, every format (~5 s each)

Failing examples are shrunk, printed with a reproduction blob, and saved in the example database
(.hypothesis/fuzz by default), so the next run — and `pytest tests/test_fuzz.py` with the same
database — tries them first. Exit status 1 when any property failed.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def load_properties() -> ModuleType:
    """tests/test_fuzz.py as a module: the generators and checks live beside the tests that use them."""
    spec = importlib.util.spec_from_file_location("pipeline_fuzz_properties", REPO / "tests" / "test_fuzz.py")
    if spec is None or spec.loader is None:
        raise SystemExit("fuzz: cannot load tests/test_fuzz.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def properties(module: ModuleType) -> dict[str, tuple[Callable[..., None], tuple[Any, ...]]]:
    return {
        "normalizer": (module.check_normalizer, (module.markdown_documents(),)),
        "html": (module.check_html_writer, (module.FRONT_MATTER, module.markdown_documents())),
        "pandoc": (module.check_pandoc_reads_the_same_text, (module.markdown_documents(),)),
        # Whole document-shaped files through every writer, EPUBCheck on the EPUB: seconds each.
        "shapes": (module.check_every_format, (module.document_shapes(),)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=10_000, help="examples per property (default 10000)")
    parser.add_argument("--property", choices=["normalizer", "html", "pandoc", "shapes", "all"], default="all")
    parser.add_argument("--seed", type=int, default=None, help="reproducible run")
    parser.add_argument("--database", type=Path, default=REPO / ".hypothesis" / "fuzz",
                        help="where failing examples are kept (default .hypothesis/fuzz)")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(REPO))
    # Bound pandoc's heap, as the tests do: an input that makes it grow must fail, not swap.
    module = load_properties()
    os.environ.setdefault("GHCRTS", module.PANDOC_HEAP)
    from hypothesis import HealthCheck, given, seed, settings
    from hypothesis.database import DirectoryBasedExampleDatabase

    selected = properties(module)
    names = list(selected) if args.property == "all" else [args.property]
    failed = []
    for name in names:
        check, strategies = selected[name]
        run = settings(
            max_examples=args.examples,
            deadline=None,
            database=DirectoryBasedExampleDatabase(str(args.database)),
            suppress_health_check=list(HealthCheck),
            print_blob=True,
        )(given(*strategies)(check))
        if args.seed is not None:
            run = seed(args.seed)(run)
        started = time.monotonic()
        print(f"fuzz: {name}: {args.examples} examples …", flush=True)
        try:
            run()
        except Exception:
            traceback.print_exc()
            failed.append(name)
            print(f"fuzz: {name}: FAILED after {time.monotonic() - started:.0f} s", flush=True)
        else:
            print(f"fuzz: {name}: ok in {time.monotonic() - started:.0f} s", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
