"""`MetricsServer`: the daemon's Prometheus endpoint (`GET /metrics`) on its own listener.

It lives in the daemon, not the gateway: a gateway run on its own only speaks gRPC and sees no
invocations. Scrapes run on the daemon's event loop, so the pool is read without locks.
"""

from __future__ import annotations

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from lambdad.daemon.observability.metrics import LambdadMetrics


class MetricsServer:
    """Serves `metrics.exposition()` at `/metrics` on `host:port` (port 0: any free port)."""

    def __init__(self, metrics: LambdadMetrics, host: str, port: int) -> None:
        self._metrics = metrics
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> int:
        """Start listening; the bound port."""
        app = web.Application()
        app.router.add_get("/metrics", self._scrape)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        return self.port

    async def _scrape(self, request: web.Request) -> web.Response:
        response = web.Response(body=self._metrics.exposition())
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response

    async def close(self) -> None:
        """Stop listening (idempotent)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
