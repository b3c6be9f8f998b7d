"""News pages cited by the reported-figures registry: page → text (`page`), figure near a
phrase (`figure_check`), and the page-check source of a refresh (`checks`)."""
