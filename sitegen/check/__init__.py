"""Stage 2, the checked graph: every rule over the loaded site, with positioned diagnostics."""
