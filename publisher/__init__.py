"""A linked-data publisher: one read-only RDF dataset served as linked data and SPARQL."""

__version__ = "0.2.0"
