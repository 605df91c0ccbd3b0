"""One module per OAuth endpoint of an authorization server."""
