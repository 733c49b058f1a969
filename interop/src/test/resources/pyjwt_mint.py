"""Mints a JWT with PyJWT (Debian python3-jwt), as an independent implementation.

Reads one JSON object on stdin: {"alg": "ES256"|"RS256", "kid": "...", "key": "<PEM private key>",
"claims": {...}} and prints the compact token. Numeric and list claims stay as JSON types.
"""
import json
import sys

import jwt

request = json.load(sys.stdin)
token = jwt.encode(request["claims"], request["key"], algorithm=request["alg"],
                   headers={"kid": request["kid"], "typ": "JWT"})
print(token if isinstance(token, str) else token.decode("ascii"))
