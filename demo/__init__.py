"""The demo district (Thống Nhất, Đồng Nai, in its two eras) and `manage.py seed_demo`.

Not a domain app: it only drives the real services of directory, titles and workflows,
as the people of the demo would from the web, so nothing of the domain imports it.
`demo.seed.seed()` loads everything; the modules below it split the work:
geography (units of both eras), people (households), accounts (a user for every role),
rounds (how the demo's people act in any round), family (the Cultural Family rounds) and
hamlets (the cultural hamlet title's rounds).
"""
