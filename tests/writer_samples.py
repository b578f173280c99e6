"""A sampler document with every construct the DOCX, EPUB and HTML writers must carry, built once.

The seed has no table, footnote, code, image or raw HTML; this sampler has all of them, including
the raw HTML that used to break EPUBs (unclosed tags, a script, a site component, a percentage
width, a missing image, a list with stray text). It is converted once per test session with the
neutral `default` theme (the seed tests cover `openinfra`), so both themes build every format.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import outputs_in, run_cli

SAMPLER = """\
---
title: Feature Sampler
subTitle: Every construct the writers must carry
date: 2024-05-06
keywords: [sampler, tests]
---
## Opening article

::: {.byline custom-style="Byline"}
Ada Lovelace, Analyst
:::

A paragraph with a footnote[^note], *emphasis*, `inline code`, a [web link](https://example.org/a%20b)
and an [internal link](#tables-and-code). Ünïcödé ✓ → “quotes”.

> A quotation in the brand.

<div markdown="1" align="center"><p>Raw HTML <b>kept</b> text<script>alert(1)</script></p>
<Note>Custom component text</Note>
<img src="missing/picture.png" alt="A missing picture" width="50%">
<a href="#figures">Raw link to figures</a>
</div>

# Tables and code

| Name | Value |
| ---- | ----: |
| one  | 1     |
| two  | 2     |
| three | 3    |

```python
print("héllo")
```

## Figures

![A local figure](figure.png)

<img src="figure.png" alt="Raw local figure" width="120">

<ul>stray text<li>item</li></ul>

[^note]: The footnote text.
"""

_BUILT: dict[str, dict[str, Path]] = {}


def sampler_outputs(factory: pytest.TempPathFactory, formats: str = "docx,epub,html") -> dict[str, Path]:
    """The sampler converted (with --validate) to `formats`; built once per session and format set."""
    if formats not in _BUILT:
        from PIL import Image

        folder = factory.mktemp("sampler")
        (folder / "features.md").write_text(SAMPLER, encoding="utf-8")
        Image.new("RGB", (40, 30), (200, 30, 60)).save(folder / "figure.png")
        out = folder / "out"
        result = run_cli(str(folder / "features.md"), "--to", formats, "--theme", "default", "--validate",
                         "-o", str(out))
        assert result.returncode == 0, result.stdout + result.stderr
        built = outputs_in(out)
        built["manifest"] = out / "manifest.json"
        built["stdout"] = out / "stdout.txt"
        built["stdout"].write_text(result.stdout + result.stderr, encoding="utf-8")
        _BUILT[formats] = built
    return _BUILT[formats]


def manifest_details(outputs: dict[str, Path], fmt: str) -> dict:
    """The writer's `details` for one output, as the batch recorded them in manifest.json."""
    import json

    manifest = json.loads(outputs["manifest"].read_text(encoding="utf-8"))
    entry = manifest["outputs"][outputs[fmt].name]
    return entry.get("details") or {}
