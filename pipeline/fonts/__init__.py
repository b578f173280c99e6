"""Fonts, in one place: where they come from, which ones a document needs, and how each format embeds them.

faces     brand fonts resolved to packaged files (fontpkg-*), variable fonts pinned to static weights
fallback  the per-script fallback chain behind the brand fonts (theme setting + catalogue of sources)
coverage  which characters a font file covers (its cmap), cached
subset    static subsets of the faces a document uses, for EPUB, HTML and the PDF's fallback faces
docx      faces embedded (obfuscated) in Word files
docx_scripts  Word's East Asian and complex-script slots, and runs split by the family that draws them
pdfcheck  fonts in a written PDF that are not the theme's (the machine's fallbacks)
"""
