"""Stage 1, files -> validated model: front matter, the schema, page models, loading, the site and its progression graph."""
