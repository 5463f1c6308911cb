# Stand-in for stadt_bonn_oparl/api/config.py (which reads pydantic-settings for its FastAPI
# server): only the two constants the processors use, with the upstream values.
UPSTREAM_API_URL = "https://www.bonn.sitzung-online.de/public/oparl"
SELF_API_URL = "http://localhost:8000"
