"""Big patterns' compiled code kept in the cache folder (`pipeline.regex_cache`)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import regex_cache
from pipeline.cache import CACHE_ENV

pytestmark = pytest.mark.skipif(sys.version_info[:2] not in regex_cache._KNOWN_VERSIONS,
                                reason=f"regex_cache does nothing on Python {sys.version_info[:2]}")

# A pattern like linkify's: a long alternation of names, named groups, a look-behind, classes.
_WORDS = [f"w{n:04d}x" for n in range(600)]
BIG = r"(?<![\w.])(?P<name>" + "|".join(_WORDS) + r")\.(?P<tld>[a-z]{2,6})(?:/[^\s]*)?"
SAMPLES = ["see w0042x.org/path and W0599X.DEV", "w0600x.org", "aw0001x.com", "w0001x.c", "x.w0002x.io"]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    monkeypatch.setattr(regex_cache, "_folder", None)
    regex_cache.install()
    re.purge()
    yield tmp_path / "regex"
    regex_cache.uninstall()
    re.purge()


def _plain(pattern: str | bytes, flags: int = 0) -> re.Pattern:
    import re._compiler

    compile_ = regex_cache._original or re._compiler.compile
    return compile_(pattern, flags)


def _entries(folder: Path, kind: str = "marshal") -> list[Path]:
    return sorted(folder.glob(f"*.{kind}")) if folder.is_dir() else []


def _compile_twice(pattern: str | bytes, flags: int = 0) -> re.Pattern:
    """An entry is written on a pattern's second compile (the first leaves a marker)."""
    re.compile(pattern, flags)
    re.purge()
    compiled = re.compile(pattern, flags)
    re.purge()
    return compiled


def test_a_big_pattern_compiles_to_the_same_code_and_is_kept(cache: Path) -> None:
    assert len(BIG) >= regex_cache.MIN_LENGTH
    first = re.compile(BIG, re.IGNORECASE)
    assert _entries(cache) == [] and len(_entries(cache, "seen")) == 1
    re.purge()
    second = re.compile(BIG, re.IGNORECASE)
    assert len(_entries(cache)) == 1 and _entries(cache, "seen") == []
    re.purge()
    again = re.compile(BIG, re.IGNORECASE)  # from the entry
    plain = _plain(BIG, re.IGNORECASE)
    # Pattern equality compares the pattern, the flags and the compiled code itself.
    assert first == plain and second == plain and again == plain
    assert again.groupindex == plain.groupindex and again.groups == plain.groups == 2
    for text in SAMPLES:
        assert [m.groupdict() | {"span": m.span()} for m in again.finditer(text)] == \
               [m.groupdict() | {"span": m.span()} for m in plain.finditer(text)]
    assert again.search(SAMPLES[0])["name"] == "w0042x"


def test_flags_and_types_are_part_of_the_key(cache: Path) -> None:
    case_sensitive = _compile_twice(BIG)
    ignoring_case = _compile_twice(BIG, re.IGNORECASE)
    in_bytes = _compile_twice(BIG.encode())
    assert len(_entries(cache)) == 3
    assert re.compile(BIG) == case_sensitive and not re.compile(BIG).search("W0599X.DEV")
    assert re.compile(BIG, re.IGNORECASE) == ignoring_case
    assert re.compile(BIG.encode()) == in_bytes and re.compile(BIG.encode()).search(b"w0001x.io")


def test_small_and_debug_patterns_are_not_kept(cache: Path) -> None:
    _compile_twice(r"(?P<a>x+)y")
    _compile_twice("a" * (regex_cache.MIN_LENGTH - 1))
    assert not cache.exists() or list(cache.iterdir()) == []


@pytest.mark.parametrize("damage", ["garbage", "truncated", "another pattern", "bad code"])
def test_a_damaged_entry_only_costs_the_compile(cache: Path, damage: str) -> None:
    _compile_twice(BIG)
    [entry] = _entries(cache)
    data = entry.read_bytes()
    if damage == "garbage":
        entry.write_bytes(b"\x00not marshal")
    elif damage == "truncated":
        entry.write_bytes(data[: len(data) // 2])
    elif damage == "another pattern":
        other = BIG.replace("w0000x", "v0000x")
        regex_cache._compile(other, 0)
        regex_cache._compile(other, 0)
        [other_entry] = [e for e in _entries(cache) if e != entry]
        entry.write_bytes(other_entry.read_bytes())
    else:  # an opcode _sre refuses: its validator runs on what the entry holds
        import marshal

        pattern, flags, final_flags, code, *rest = marshal.loads(data)
        entry.write_bytes(marshal.dumps((pattern, flags, final_flags, [255, *code[1:]], *rest)))
    re.purge()
    assert re.compile(BIG) == _plain(BIG)
    assert _compile_twice(BIG) == _plain(BIG)
    assert regex_cache._from_entry(entry.read_bytes(), BIG, 0) == _plain(BIG)  # written again, whole


def test_another_process_reads_the_entry_instead_of_compiling(cache: Path) -> None:
    _compile_twice(BIG)
    script = (
        "import re, re._parser\n"
        "from pipeline import regex_cache\n"
        "regex_cache.install()\n"
        "parse = re._parser.parse\n"
        "def refuse(pattern, *a, **k):\n"
        "    assert len(pattern) < 1000, 'parsed'\n"
        "    return parse(pattern, *a, **k)\n"
        "re._parser.parse = refuse\n"
        f"p = re.compile({BIG!r})\n"
        "print(p.search('see w0042x.org')['name'])\n"
    )
    env = {**os.environ, CACHE_ENV: str(cache.parent)}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "w0042x"


def test_patterns_made_anew_in_each_process_leave_markers_and_the_folder_stays_bounded(
        cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(regex_cache, "MAX_FILES", 8)
    kept = _compile_twice(BIG)
    [entry] = _entries(cache)
    for n in range(20):  # as mdformat's entity pattern, whose alternatives come from a set
        re.compile(BIG.replace("w0001x", f"v{n:04d}x"))
        regex_cache._compile(BIG, 0)  # the kept entry, used meanwhile
        assert len(list(cache.iterdir())) <= 8
    assert len(_entries(cache, "seen")) >= 4 and _entries(cache) == [entry]
    assert regex_cache._from_entry(entry.read_bytes(), BIG, 0) == kept


def test_an_unusable_cache_folder_compiles_as_usual(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv(CACHE_ENV, str(blocked))
    monkeypatch.setattr(regex_cache, "_folder", None)
    regex_cache.install()
    try:
        re.purge()
        assert re.compile(BIG) == _plain(BIG)
    finally:
        regex_cache.uninstall()
        re.purge()


def test_the_command_installs_it() -> None:
    script = ("import re._compiler, sys\n"
              "from pipeline import cli\n"
              "sys.argv = ['convert', '--version']\n"
              "try:\n    cli.main()\n"
              "except SystemExit:\n    pass\n"
              "print(re._compiler.compile.__module__)\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip().splitlines()[-1] == "pipeline.regex_cache", out.stderr
