"""X-Ray tracing: trace headers, lambdad's own segments, the daemon listener, the trace store."""
