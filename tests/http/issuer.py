"""A token issuer for the tests: an RSA key, its JWKS served over local HTTP, signed JWTs."""

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey


def new_key() -> RSAPrivateKey:
    """A fresh RSA signing key."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Issuer:
    """Signs access tokens with the key whose public half it serves at jwks_url."""

    url: str
    key: RSAPrivateKey
    kid: str

    @property
    def jwks_url(self) -> str:
        """Where the JSON Web Key Set is served."""
        return f"{self.url}/jwks"

    def token(
        self,
        subject: str,
        *,
        audience: str,
        scope: str = "",
        expires_in: float = 300,
        key: RSAPrivateKey | None = None,
        issuer: str | None = None,
        **claims: Any,
    ) -> str:
        """A signed JWT access token (with another key or issuer, to forge one)."""
        now = int(time.time())
        payload = {
            "iss": issuer or self.url,
            "sub": subject,
            "aud": audience,
            "iat": now,
            "exp": now + int(expires_in),
            "scope": scope,
            **claims,
        }
        signer = key or self.key
        return jwt.encode(payload, signer, algorithm="RS256", headers={"kid": self.kid})


@contextmanager
def running_issuer() -> Iterator[Issuer]:
    """An issuer whose JWKS is served on 127.0.0.1 for the duration of the block."""
    key, kid = new_key(), uuid.uuid4().hex
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    document = json.dumps({"keys": [public | {"kid": kid, "use": "sig", "alg": "RS256"}]})

    class Jwks(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = document.encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test output is not the place for access logs."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Jwks)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Issuer(f"http://127.0.0.1:{server.server_port}", key, kid)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
