"""Child process for the crash test: saves meetings with asks and a commitment in a
loop and reports each save on stdout once it is committed."""

from __future__ import annotations

import sys
from pathlib import Path

from stpdesk.services import entities as e
from stpdesk.store import open_database


def main(path: str, body_id: str) -> None:
    db = open_database(Path(path))
    number = 0
    while True:
        number += 1
        meeting, asks, commitments = e.record_meeting(
            db,
            {
                "title": f"Crash test meeting {number}",
                "starts_at": "1/12/2026 10:00",
                "body_ids": [body_id],
                "notes": "Housing is the missing third. " * 20,
            },
            asks_made=[
                {"title": f"Ask {number}a", "body_id": body_id},
                {"title": f"Ask {number}b", "body_id": body_id},
            ],
            commitments_given=[
                {"text": f"Commitment {number}", "body_id": body_id, "due_date": "1/1/2027"}
            ],
        )
        ids = [meeting.id, *(a.id for a in asks), *(c.id for c in commitments)]
        print(" ".join(ids), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
