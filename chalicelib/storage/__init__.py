"""The storage backends of the ports in chalicelib/ports.py: DynamoDB through pynamodb (this package's modules;
the only code that talks to DynamoDB, built by ``dynamodb.DynamoStorage``) and in memory (``memory/``, which never
imports pynamodb)."""
