"""How the dataset is found: VoID and DCAT, the sitemap, robots.txt and the dumps."""
