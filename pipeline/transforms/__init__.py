"""Passes over the shared pandoc AST, one module each, applied in order by `pipeline.render`."""
