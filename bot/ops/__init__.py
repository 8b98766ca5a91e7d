"""Operations: Prometheus metrics, health state and the small web server that serves both."""
