"""Event source pollers (SQS, DynamoDB Streams, Kinesis) and filter matching."""
