"""Reference implementations in numpy, shown on the site and imported by its notebooks.

Each module matches one page: activations, optimizers, normalization,
initialization, regularization, losses. Functions are small, typed, document
their array shapes, and use the names of the formulas on the page. Regions
between `# --8<-- [start:name]` and `# --8<-- [end:name]` are included into
pages by pymdownx.snippets, so what readers see is what the tests check.
"""
