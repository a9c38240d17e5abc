"""Stage 3, rendered outputs: Markdown, link rewriting, templates, and what each output depends on."""
