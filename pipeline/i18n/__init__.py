"""Languages: which one a document is in, which way it runs, and the words our outputs print in it.

tags    BCP 47 validation, writing direction and script of a language tag
detect  the language of a text: Unicode script counts first, py3langid within a script
labels  "Contents", "Page", "Figure" … from pandoc's own translation files, English as the fallback

Other parts of the pipeline call `label(lang, key)`, `direction(lang)` and `detect_language(text)`.
"""

from pipeline.i18n.detect import Detection, detect_language
from pipeline.i18n.labels import label, labels
from pipeline.i18n.tags import direction, is_valid_tag, normalize_tag, script_of

__all__ = ["Detection", "detect_language", "direction", "is_valid_tag", "label", "labels", "normalize_tag",
           "script_of"]
