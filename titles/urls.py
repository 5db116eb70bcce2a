"""Register, certificates and public verification (issue 3 fills this in)."""

app_name = "titles"

urlpatterns = []
