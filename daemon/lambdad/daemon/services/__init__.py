"""Orchestration: operations that combine domain rules with the runtime, the stores, tracing
and observability. Servicers in ``api/`` and pollers in ``sources/`` call these; nothing here
speaks gRPC or HTTP (see tests/unit/test_import_rules.py for the layering rule)."""
