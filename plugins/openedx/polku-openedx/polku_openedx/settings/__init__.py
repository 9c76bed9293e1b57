"""Settings of the Polku adapter, loaded by edx-platform's plugin framework."""
