"""Search Console: organic search rows per day, read through the Google API client."""
