"""dist/manifest.json: every output, what it was built from, and whether it is still up to date."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.atomic import write_text_atomically

MANIFEST_NAME = "manifest.json"
SCHEMA = 1


@dataclass
class Manifest:
    path: Path
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)  # by output path relative to out_dir
    versions: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, out_dir: Path) -> Manifest:
        path = out_dir / MANIFEST_NAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(path)  # missing or damaged: everything rebuilds, which is always safe
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            return cls(path)
        return cls(path, dict(data.get("outputs", {})), dict(data.get("versions", {})))

    def relative(self, output: Path | str) -> str:
        try:
            return Path(output).resolve().relative_to(self.path.parent.resolve()).as_posix()
        except ValueError:
            return str(output)

    def entry(self, output: Path | str) -> dict[str, Any] | None:
        return self.outputs.get(self.relative(output))

    def is_current(self, output: Path | str, key: str) -> bool:
        """True when the output exists, was built from exactly these inputs, and is the file we wrote."""
        from pipeline.batch.plan import file_sha256

        entry = self.entry(output)
        path = Path(output)
        if not entry or entry.get("status") != "ok" or entry.get("key") != key or not path.is_file():
            return False
        if path.stat().st_size != entry.get("size"):
            return False
        return file_sha256(path) == entry.get("sha256")

    def record(self, output: Path | str, entry: dict[str, Any]) -> None:
        self.outputs[self.relative(output)] = entry

    def save(self) -> None:
        """Write atomically: a crash mid-write must not leave a manifest that loses every entry."""
        data = {"schema": SCHEMA, "versions": self.versions, "outputs": dict(sorted(self.outputs.items()))}
        write_text_atomically(self.path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
