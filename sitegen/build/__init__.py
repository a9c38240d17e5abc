"""Stage 5, the swapped-in site: the Builder, the manifest of the last build, output folders and the swap."""
