"""The project report: one static page, reports/index.html, whose sections answer each role.

`make report` builds it (also the DVC stage `report`). inputs.py reads what the pipeline,
the docs and the dev tools wrote, page.py turns it into HTML with inline SVG plots (svg.py).
It uses the standard library alone, so the runtime gains no dependency.
"""
