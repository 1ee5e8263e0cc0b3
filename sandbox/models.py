"""Models of the sandbox app."""
