"""The static export: every document written as a file, with a generated nginx configuration."""
