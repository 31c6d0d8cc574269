"""Settings: `base` (shared), `production` (the default), `dev` (local work and the tests)."""
