"""Writes to Search Console: none. The app only reads search analytics; the API's writes
(adding sites, submitting sitemaps) are outside what the app does or asks consent for, and
the read-only scope it requests could not make them anyway.
"""
