"""Dashboard pages: one module per page, each a thin view over its selectors."""
