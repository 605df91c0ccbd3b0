"""AWS list prices (us-east-1, in dollars) and the Lambda sizing every section prices with (performance.md)."""
from __future__ import annotations

PRICE_APIGW_REST = 3.50 / 1e6
PRICE_LAMBDA_REQUEST = 0.20 / 1e6
PRICE_LAMBDA_GB_S_ARM = 0.0000133
PRICE_DDB_READ_UNIT = 0.125 / 1e6
PRICE_DDB_WRITE_UNIT = 0.625 / 1e6
PRICE_SECRETS_CALL = 0.05 / 10_000
PRICE_KMS_CALL = 0.03 / 10_000
COGNITO_PER_MILLION = 2_250.0
LAMBDA_MEMORY_MB = 512
LAMBDA_MB_PER_VCPU = 1_769  # Lambda allocates one full vCPU at 1,769 MB, CPU share proportional to memory
