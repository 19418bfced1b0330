"""What functions did: Prometheus metrics, recent invocation history, and the glue that feeds them.

`recorder.InvocationRecorder` receives what the invoke path reports (an invocation began, its
REPORT figures, a throttle) and updates `metrics.LambdadMetrics` and `history.InvocationHistory`;
`http.MetricsServer` serves the metrics on the daemon's own listener.
"""
