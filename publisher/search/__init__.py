"""Search: labels and alternative labels in every language, Arabic matched as it is typed.

`normalise` folds text the same way for the index and the query; `index` writes the FTS5
tables into the catalog when it is built (decision 0013); `engine` answers `/search`;
`reconciliation` speaks the W3C Entity Reconciliation API over the same index. Nothing is
re-exported here: the catalog imports `index` while it is itself being imported.
"""
