"""AST passes over a document's pandoc AST, one module each, applied from `pipeline.render`."""
