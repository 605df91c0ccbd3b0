"""DynamoDB storage through pynamodb: the only package that talks to DynamoDB."""
