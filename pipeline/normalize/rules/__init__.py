"""Built-in normalizer rules, one module per family (structure, links, typos, typography)."""
