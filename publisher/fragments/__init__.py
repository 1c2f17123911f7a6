"""Triple and Quad Pattern Fragments (issue 12): the low-cost query interface at /fragments.

`pattern` reads a request's selector, `select` takes one page from the store without a scan,
`controls` writes the hypermedia controls and metadata, `represent` the bytes of each format
and the HTML page's rows, `service` keeps one version's figures and recent pages.
"""
