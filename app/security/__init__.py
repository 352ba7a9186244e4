"""Hardening that sits around the routes: headers, body limits, origin checks, rate limits."""
