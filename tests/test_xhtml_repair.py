"""Raw HTML in EPUB chapters: parsed like a browser would, cleaned to valid EPUB XHTML."""

from __future__ import annotations

from lxml import etree

from pipeline.render import valid_uri
from pipeline.writers.xhtml import clean_chapter, fix_links, parse_chapter

PAGE = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" lang="en" xml:lang="en">
<head><meta charset="utf-8" /><title>t</title><link rel="stylesheet" type="text/css" href="../styles/s.css" /></head>
<body epub:type="bodymatter">
<section id="s1" class="level2"><h2>One</h2>
{body}
</section>
</body>
</html>
"""


def _clean(body: str, images=lambda src: None, name: str = "ch001.xhtml"):
    chapter = parse_chapter(name, PAGE.format(body=body).encode("utf-8"))
    missing = clean_chapter(chapter, images)
    return chapter, missing, chapter.serialize().decode("utf-8")


def test_unclosed_and_unbalanced_tags_become_well_formed():
    _chapter, _missing, out = _clean("<div><p>open<img src=a.png alt=x><br>text &nbsp;&copy;</section></div></div>")
    root = etree.fromstring(out.encode())
    assert root.find(".//{http://www.w3.org/1999/xhtml}body") is not None
    assert "\u00a0©" in out and "&nbsp;" not in out
    assert out.startswith("<?xml") and "<!DOCTYPE html>" in out


def test_what_runs_or_fetches_goes_with_its_content():
    chapter, _missing, out = _clean("<p>kept<script>alert(1)</script><iframe src=x>in</iframe>"
                                    "<style>p{}</style><noscript>n</noscript><svg><path d='M0'/></svg></p>")
    assert "kept" in out and "alert" not in out and "<iframe" not in out and "<svg" not in out and ">n<" not in out
    assert chapter.removed["script"] == 1 and chapter.removed["iframe"] == 1


def test_unknown_elements_are_unwrapped_and_attributes_cleaned():
    _chapter, _missing, out = _clean('<Note markdown="1" onclick="x()"><t>kept text</t></Note>'
                                     '<td width="50%">x</td><p align="center" style="color: red">c</p>'
                                     '<img src="../media/f.png" width="600px" height="50%" alt="a">'
                                     '<center>old</center><strike>s</strike><a name="anchor">n</a>',
                                     images=lambda src: src)
    assert "kept text" in out and "<note" not in out.lower() and "<t>" not in out and "onclick" not in out
    assert "markdown=" not in out and 'style="color' not in out
    assert '<p style="text-align: center;">c</p>' in out
    assert 'width="600"' in out and "height=" not in out
    assert "<div>old</div>" in out and "<s>s</s>" in out and '<a id="anchor">n</a>' in out


def test_content_model_repairs():
    _chapter, _missing, out = _clean("<ul>stray<li>item</li>tail</ul><span><p>block in inline</p></span>"
                                     "<li>orphan</li><dl><p>not a term</p><dt>t</dt></dl>")
    assert "<ul><li>stray</li><li>item</li><li>tail</li></ul>" in out
    assert "<span> block in inline </span>" in out
    assert "<div>orphan</div>" in out
    assert "<dl><dd><p>not a term</p></dd><dt>t</dt></dl>" in out


def test_images_are_resolved_or_described():
    seen = []

    def resolve(src):
        seen.append(src)
        return "../media/raw-001.png" if src == "local.png" else None

    _chapter, missing, out = _clean('<img src="local.png" alt="here"><img src="/img/gone.svg" alt="Gone logo">'
                                    '<img data-pipeline-src="hidden.png">', resolve)
    assert '<img src="../media/raw-001.png" alt="here"/>' in out
    assert '<span class="missing-image">[Gone logo]</span>' in out
    assert '<span class="missing-image">[image]</span>' in out
    assert missing == ["/img/gone.svg", "hidden.png"] and "hidden.png" in seen


def test_links_follow_their_ids_across_chapters():
    first = parse_chapter("ch001.xhtml", PAGE.format(body='<a href="#later">to later</a><a href="#nowhere">x</a>'
                                                     '<a href="other.md">file</a><a href="https://e.org/a b">w</a>'
                                                     '<a href="javascript:alert(1)">js</a>').encode())
    second = parse_chapter("ch002.xhtml", PAGE.format(body='<p id="later">here</p>').encode())
    for chapter in (first, second):
        clean_chapter(chapter, lambda src: None)
    unwrapped = fix_links([first, second], valid_uri, other_files=set())
    out = first.serialize().decode()
    assert '<a href="ch002.xhtml#later">to later</a>' in out
    assert '<a href="https://e.org/a%20b">w</a>' in out
    assert "</a>xfile<a" in out and 'href="#nowhere"' not in out and "other.md" not in out and "javascript" not in out
    assert unwrapped == 3


def test_duplicate_ids_keep_the_first():
    _chapter, _missing, out = _clean('<p id="s1">dup of the section id</p><p id="has space">x</p>')
    assert out.count('id="s1"') == 1 and "has space" not in out


def test_a_comment_right_before_an_element_is_dropped_without_a_crash():
    # lazygit's README: `<!-- sponsors --><a …>` left the comment with no tail (None), and joining
    # it to the text before failed with TypeError.
    _chapter, _missing, out = _clean('<p align="center"><!-- sponsors --><a href="https://x.org">'
                                     '<img src="s.png" alt="Sponsor"></a><!--x--></p><div><!--a--><!--b--></div>')
    assert "sponsors" not in out and "[Sponsor]" in out and "<!--" not in out
