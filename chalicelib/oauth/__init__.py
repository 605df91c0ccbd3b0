"""The OAuth 2.0 protocol core: free of Chalice and of DynamoDB (DESIGN.md, "oauth/")."""
