app_name = "search_api"

urlpatterns: list = []
