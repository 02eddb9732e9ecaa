"""The AWS implementations of ports.ObjectStore (S3) and ports.Executions (Step Functions)."""
