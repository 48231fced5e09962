"""Renderers: each turns a Report into text for one audience, and never computes findings."""
