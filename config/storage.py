"""Static files storage for production: whitenoise's compressed, hashed files."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Tolerates a vendored stylesheet that points at a file its package does not ship.

    viewflow's bundled roboto-fontface.css names font weights that are not in the
    wheel; the strict storage aborts collectstatic on the first such reference. The
    reference is left unhashed instead (the browser gets a 404 for an unused font).
    Likewise a vendored minified script's `sourceMappingURL` to a map that is not shipped
    (static/vendor/chartjs): only the browser's developer tools ever ask for it.
    """

    def hashed_name(self, name, content=None, filename=None):
        try:
            return super().hashed_name(name, content, filename)
        except ValueError:
            if name.startswith("viewflow/") or name.endswith(".js.map"):
                return name
            raise
