"""The SPARQL 1.1 endpoint: protocol decoding, a guard in front of Oxigraph, a pool of killable
query workers, result serialisation with truncation, the service description and the query page.

Queries never run in the server process: see `engine` and docs/decisions/0003-sparql-safety.md.
"""
