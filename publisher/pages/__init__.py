"""HTML pages: view models built from the store, rendered through one Jinja environment."""
