"""Passes over the shared pandoc AST, one module each, applied from render.py."""
