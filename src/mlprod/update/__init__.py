"""`mlprod update`: merge template changes, and changed answers, into a generated project."""
