"""The PDF stages behind `pipeline.writers.pdf`, named after the work they do.

settings   theme + command line → one `PrintSettings` (paper, duplex, bleed, variant, colours)
footnotes  pandoc notes → inline spans WeasyPrint floats to the page foot
page       the print HTML: body, contents, cover, back cover, rendered from the theme's templates
variants   PDF/A, PDF/UA, PDF/X: WeasyPrint options, output intents, metadata fixes
preview    PNG pictures of the cover, contents and part openings

--validate goes through the shared gate in `pipeline.validate` (qpdf, pdffonts, outline).
"""
