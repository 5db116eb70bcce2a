"""REST API routes (issue 5 fills this in)."""

urlpatterns = []
