"""The ground floor: small primitives every app may import, importing no app of the project."""
