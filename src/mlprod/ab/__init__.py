"""A/B testing: sample size, assignment, sample ratio mismatch, p-value adjustment, analysis.

Modules are imported by name (`mlprod.ab.analyze`, `mlprod.ab.sample_size`, ...) so that
importing this package stays cheap.
"""
