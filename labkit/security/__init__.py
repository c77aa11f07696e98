"""The security part's experiments."""
