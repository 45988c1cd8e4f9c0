"""`mlprod audit`: the dependencies' known vulnerabilities, from OSV records read offline or
the OSV API."""
