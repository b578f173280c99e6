"""Passes over the shared pandoc AST, applied in the render stage (one module per pass)."""
