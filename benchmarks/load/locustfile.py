"""Load test: hamlet heads reading their inbox and dossier pages and recording review meetings.

Each simulated user is one hamlet head (credentials from $LOAD_USERS_FILE, written by
seed.py): uses the browser session seed.py opened for it, reads pages, and
records the review meeting of its own dossier through the API (token). Users never
share a dossier, so every transition must succeed: any non-2xx/3xx answer is an error.
"""

import itertools
import json
import os
import random
import threading

from locust import HttpUser, between, task

PEOPLE = json.load(open(os.environ["LOAD_USERS_FILE"]))
_next = itertools.count()
_lock = threading.Lock()


# The pause between a user's tasks. With the defaults (mean 1.25 s) 50 users cannot send more
# than 50 x 13/11 / 1.25 = 47 requests/s even if every answer took no time (13 requests per 11
# tasks: the API task sends two); see benchmarks/README.md, issue 17.
WAIT_MIN = float(os.environ.get("LOAD_WAIT_MIN", "0.5"))
WAIT_MAX = float(os.environ.get("LOAD_WAIT_MAX", "2"))


class HamletHead(HttpUser):
    wait_time = between(WAIT_MIN, WAIT_MAX)

    def on_start(self):
        with _lock:
            self.person = PEOPLE[next(_next) % len(PEOPLE)]
        # The browser session was opened by seed.py (a real login each costs a
        # deliberately slow password hash; see the README).
        self.client.cookies.set("sessionid", self.person["sessionid"])
        self.api_headers = {"Authorization": f"Token {self.person['token']}"}

    @task(4)
    def inbox(self):
        self.client.get("/", name="inbox page")

    @task(4)
    def dossier_page(self):
        self.client.get(f"/dossiers/{self.person['dossier']}/", name="dossier page")

    @task(2)
    def dossier_api(self):
        self.client.get(f"/api/dossiers/{self.person['dossier']}/", headers=self.api_headers, name="api dossier")
        self.client.get("/api/nominations/", params={"dossier": self.person["dossier"]},
                        headers=self.api_headers, name="api nominations")

    @task(1)
    def record_meeting(self):
        present = random.randint(24, 40)
        votes = []
        for pk in self.person["nominations"]:
            votes_for = random.randint(0, present)
            votes.append({"nomination": pk, "votes_for": votes_for,
                          "votes_against": random.randint(0, present - votes_for)})
        self.client.post(
            f"/api/dossiers/{self.person['dossier']}/meeting/", name="api record meeting (transition)",
            # A re-recorded meeting that changes a household's result needs a reason for it
            # (issue 18): the random tallies change some, so every household carries one.
            json={"held_on": "2021-11-02", "invited": 40, "present": present, "method": "secret_ballot",
                  "votes": votes, "change_reasons": [{"nomination": pk, "reason": "Kiểm phiếu lại"}
                                                     for pk in self.person["nominations"]]},
            headers=self.api_headers,
        )
