"""Documents: a resource's description, serialised in every format, cached per dataset version."""
