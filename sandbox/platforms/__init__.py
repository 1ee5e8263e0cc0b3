"""The imitated platforms, one module each, mounted by sandbox.server.build_sandbox."""
