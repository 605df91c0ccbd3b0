"""tokenmint: Okta-compatible custom authorization servers on AWS (everything Chalice packages)."""
