"""The batch's resident LibreOffice: one start serves many documents, a hang is cut off, and without
a Python that has UNO every call still works the old way (LibreOffice started per call)."""

from __future__ import annotations

import json
import os
import re
import time
import zipfile
from pathlib import Path

import pytest
from conftest import IN_CI, SEED, require_tool, run_cli

from pipeline import libreoffice
from pipeline.writers.docx_toc import lo_entries


@pytest.fixture
def office() -> libreoffice.Office:
    require_tool("soffice")
    found = libreoffice.find()
    assert found is not None
    if libreoffice._uno_python() is None:
        message = "no Python with UNO (Debian: python3-uno; make test installs it when run as root)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return found


def _offices_started_from(folder: Path) -> list[int]:
    """PIDs of running soffice processes whose user profile lies under `folder`."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if "soffice" in command and str(folder) in command:
            pids.append(int(entry.name))
    return pids


def test_one_office_serves_every_call_and_stops_with_the_block(office, seed_outputs, tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the bridge's profile lands here, so we can find it
    source = tmp_path / "in.docx"
    source.write_bytes(seed_outputs["docx"].read_bytes())
    with libreoffice.resident(office):
        assert os.environ.get(libreoffice.BRIDGE_SOCKET)
        targets = []
        for n in range(3):
            target = tmp_path / f"updated-{n}.docx"
            assert libreoffice._via_bridge(office, "update_indexes", source, target, timeout=120), \
                "the call did not go to the resident LibreOffice"
            targets.append(target)
        offices = _offices_started_from(tmp_path)
        pdf = libreoffice.to_pdf(office, source, tmp_path / "out.pdf", timeout=120)
        assert pdf.read_bytes().startswith(b"%PDF")
    assert offices, "no LibreOffice ran with the bridge's profile"
    for target in targets:
        entries = lo_entries(target)
        assert len(entries) >= 10 and all(page.isdigit() for _level, _text, page in entries), entries[:3]
    assert libreoffice.BRIDGE_SOCKET not in os.environ
    deadline = time.monotonic() + 10
    while _offices_started_from(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _offices_started_from(tmp_path), "LibreOffice outlived the batch"


def test_office_stops_with_the_block_while_a_forked_process_still_runs(office, seed_outputs, tmp_path, monkeypatch):
    """A one-document run forks its layout process while LibreOffice is up and stops LibreOffice when the
    Word file is done, the PDF still being laid out: the fork holds the bridge's input open, so the
    end of that input cannot be what stops it (it used to wait 10 s, then kill the bridge and leave
    LibreOffice running)."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    source = tmp_path / "in.docx"
    source.write_bytes(seed_outputs["docx"].read_bytes())
    with libreoffice.resident(office):
        assert libreoffice._via_bridge(office, "update_indexes", source, tmp_path / "out.docx", timeout=120)
        assert _offices_started_from(tmp_path), "no LibreOffice ran with the bridge's profile"
        child = os.fork()
        if child == 0:  # holds every descriptor of this process, as a forked layout process does
            time.sleep(30)
            os._exit(0)
    try:
        stopped = time.monotonic()
        deadline = stopped + 8
        while _offices_started_from(tmp_path) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _offices_started_from(tmp_path), "LibreOffice outlived its block while a fork ran"
        assert time.monotonic() - stopped < 8
    finally:
        os.kill(child, 9)
        os.waitpid(child, 0)


def test_a_file_that_is_not_a_docx_fails_and_the_next_call_works(office, seed_outputs, tmp_path):
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    good = tmp_path / "good.docx"
    good.write_bytes(seed_outputs["docx"].read_bytes())
    with libreoffice.resident(office):
        with pytest.raises(libreoffice.LibreOfficeError, match=r"broken\.docx"):
            libreoffice.to_pdf(office, broken, tmp_path / "broken.pdf", timeout=60)
        assert not (tmp_path / "broken.pdf").exists()
        assert libreoffice._via_bridge(office, "to_pdf", good, tmp_path / "good.pdf", timeout=120)
        assert (tmp_path / "good.pdf").read_bytes().startswith(b"%PDF")


def test_a_call_over_its_time_limit_is_cut_off_and_office_restarts(office, seed_outputs, tmp_path):
    source = tmp_path / "in.docx"
    source.write_bytes(seed_outputs["docx"].read_bytes())
    with libreoffice.resident(office):
        assert libreoffice._via_bridge(office, "to_pdf", source, tmp_path / "warm.pdf", timeout=120)
        started = time.monotonic()
        with pytest.raises(libreoffice.LibreOfficeError, match="did not finish within"):
            libreoffice._via_bridge(office, "update_indexes", source, tmp_path / "slow.docx", timeout=0.05)
        assert time.monotonic() - started < 30
        assert libreoffice._via_bridge(office, "to_pdf", source, tmp_path / "after.pdf", timeout=120)
        assert (tmp_path / "after.pdf").read_bytes().startswith(b"%PDF")


# A Python that starts and exits without serving, and one that cannot start at all.
@pytest.mark.parametrize("python", ["/bin/false", "/nonexistent/python3"])
def test_without_uno_each_call_starts_its_own_office(seed_outputs, tmp_path, monkeypatch, python):
    require_tool("soffice")
    office = libreoffice.find()
    monkeypatch.setenv(libreoffice.UNO_PYTHON, python)
    source = tmp_path / "in.docx"
    source.write_bytes(seed_outputs["docx"].read_bytes())
    with libreoffice.resident(office):
        assert not libreoffice._via_bridge(office, "to_pdf", source, tmp_path / "x.pdf", timeout=60)
        updated, resident = libreoffice.update_indexes(office, source, tmp_path / "updated.docx", timeout=120)
    assert not resident
    assert zipfile.is_zipfile(updated) and lo_entries(updated)


def test_batch_fills_word_contents_through_one_office(office, tmp_path):
    """Three documents to Word in one batch: every contents filled, LibreOffice started once."""
    sources = tmp_path / "in"
    sources.mkdir()
    for n in range(3):
        text = SEED.read_text(encoding="utf-8").replace("title:", f"title: Copy {n} of", 1)
        (sources / f"r{n}.md").write_text(text, encoding="utf-8")
    result = run_cli(str(sources), "--to", "docx", "-o", str(tmp_path / "out"), "-j", "2", timeout=600)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    outputs = manifest["outputs"]
    assert len(outputs) == 3
    for entry in outputs.values():
        assert entry["details"]["toc"]["filled"] is True
        assert entry["details"]["toc"]["with_pages"] == entry["details"]["toc"]["entries"]
        assert entry["details"]["toc"]["office"] == "kept running for the batch", entry["details"]["toc"]


def test_a_seeded_profile_starts_libreoffice_without_its_render_tests(tmp_path):
    """LibreOffice runs its graphics render tests at every headless start on a profile that does not
    record the installed version (0.6 s of CPU each time); a seeded profile records it."""
    import docx

    from pipeline.office_bridge import product_version, seed_profile

    require_tool("soffice")
    office = libreoffice.find()
    version = product_version(office.executable)
    assert version is not None and re.fullmatch(r"\d+\.\d+", version)
    source = tmp_path / "tiny.docx"
    page = docx.Document()
    page.add_paragraph("One line.")
    page.save(source)
    seeded, plain = tmp_path / "seeded", tmp_path / "plain"
    assert seed_profile(office.executable, seeded)
    for profile in (seeded, plain):
        out = tmp_path / f"out-{profile.name}"
        libreoffice._run([office.executable, "--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
                          f"-env:UserInstallation={profile.as_uri()}", "--convert-to", "odt", "--outdir", str(out),
                          str(source)], timeout=120)
        assert (out / "tiny.odt").stat().st_size > 0  # a seeded profile works as any other
    if not (plain / "user" / "GraphicsRenderTests.log").exists():
        pytest.skip(f"LibreOffice {version} runs no render tests at start")
    assert not (seeded / "user" / "GraphicsRenderTests.log").exists()
    registry = (seeded / "user" / "registrymodifications.xcu").read_text(encoding="utf-8")
    assert f"<value>{version}</value>" in registry and "ooSetupLastVersion" in registry


def test_a_profile_is_seeded_only_when_the_version_is_known(tmp_path):
    from pipeline.office_bridge import product_version, seed_profile

    program = tmp_path / "lo" / "program"
    program.mkdir(parents=True)
    (program / "soffice").write_text("#!/bin/sh\n")
    assert not seed_profile(str(program / "soffice"), tmp_path / "profile")  # no share/registry/main.xcd
    assert not (tmp_path / "profile").exists()
    registry = tmp_path / "lo" / "share" / "registry"
    registry.mkdir(parents=True)
    (registry / "main.xcd").write_text('<prop oor:name="ooSetupVersion">\n  <value>24.8</value>\n</prop>')
    product_version.cache_clear()  # read once per installation and process
    assert seed_profile(str(program / "soffice"), tmp_path / "profile-2")
    assert "<value>24.8</value>" in (tmp_path / "profile-2" / "user" / "registrymodifications.xcu").read_text()
    assert not seed_profile(str(program / "soffice"), tmp_path / "profile-2")  # an existing profile is left alone
