"""What a person wants to see after a scan: counts by rule, user, GPT and source, and where to go next."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dlp.store.db import Store

SUMMARY_QUERIES: dict[str, str] = {
    "by rule": """SELECT rule_id, entity, severity, count(*) AS findings
                  FROM findings GROUP BY ALL ORDER BY findings DESC, rule_id""",
    "by user": """SELECT coalesce(user_email, user_id, '(unknown)') AS user, count(*) AS findings,
                         count(DISTINCT rule_id) AS rules
                  FROM findings GROUP BY ALL ORDER BY findings DESC, user LIMIT 15""",
    "by GPT": """SELECT f.gpt_id, any_value(g.name) AS gpt_name, count(*) AS findings
                 FROM findings f LEFT JOIN gpts g USING (gpt_id)
                 WHERE f.gpt_id IS NOT NULL GROUP BY ALL ORDER BY findings DESC, f.gpt_id""",
    "by source": """SELECT item_kind AS source, count(*) AS findings, count(DISTINCT item_id) AS items
                    FROM findings GROUP BY ALL ORDER BY findings DESC, source""",
    "files": """SELECT outcome, count(*) AS files FROM files GROUP BY ALL ORDER BY files DESC, outcome""",
}

NEXT_QUERIES = (
    "SELECT user_email, rule_id, file_name, location, snippet FROM findings "
    "WHERE severity IN ('high', 'critical') ORDER BY found_at DESC LIMIT 20",
    "SELECT conversation_id, count(*) AS findings, list(DISTINCT entity) AS entities FROM findings "
    "WHERE conversation_id IS NOT NULL GROUP BY ALL ORDER BY findings DESC LIMIT 10",
)


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[str]
    rows: list[tuple[object, ...]]


def summarize(db_path: str | Path) -> list[Table]:
    with Store(db_path, read_only=True) as store:
        tables = []
        for title, sql in SUMMARY_QUERIES.items():
            cursor = store.con.execute(sql)
            tables.append(Table(title, [d[0] for d in cursor.description], cursor.fetchall()))
        return tables
