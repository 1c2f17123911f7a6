"""Where the published graph lives beyond memory: an on-disk Oxigraph store (`disk`) shared
read-only by every server process, or a SPARQL 1.1 server (`remote`)."""
