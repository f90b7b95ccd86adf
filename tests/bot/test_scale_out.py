"""Scale-out: two Rasa servers share one conversation through a PostgreSQL tracker store and
a Redis lock store, configured by bot/endpoints.production.yml exactly as documented; each has
its own action server, and both write to one logbook in the same PostgreSQL, which the curators'
report on the web front reads. Both have the DingTalk and Feishu channels on (their APIs' local
fakes): one conversation through either connector stays coherent across the servers, and a retried
callback reaching both is answered once (the message ids in the lock store's Redis).

PostgreSQL and Redis come from the Debian packages (`make system`) and run on free ports
in temporary folders.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from typing import Dict, List

import pytest

from bot.api_token import api_token
from bot.config import BOT_DIR
from bot.processes import Assistant
from knowledge.answers import defining_passage
from tests.bot.channels.conftest import DingTalkMessenger, FeishuMessenger, messenger_env
from tests.bot.channels.fake_dingtalk import FakeDingTalkApi
from tests.bot.channels.fake_feishu import FakeFeishuApi
from tests.bot.clients import RestClient, http
from tests.bot.conftest import experts_file
from tests.bot.servers import PostgreSQL, Redis, record, running
from tests.ports import free_port

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def stores():
    postgres, redis = PostgreSQL(), Redis()
    try:
        postgres.start()
        redis.start()
        yield {**postgres.env(), **redis.env()}
    finally:
        redis.stop()
        postgres.stop()


@pytest.fixture(scope="module")
def fakes():
    """The DingTalk and Feishu APIs' fakes both servers answer through."""
    from tests.bot.channels.conftest import DING_KEY, DING_SECRET, FEISHU_APP, FEISHU_SECRET

    dingtalk, feishu = (
        FakeDingTalkApi(DING_KEY, DING_SECRET, DING_KEY),
        FakeFeishuApi(FEISHU_APP, FEISHU_SECRET),
    )
    dingtalk.start()
    feishu.start()
    try:
        yield dingtalk, feishu
    finally:
        feishu.stop()
        dingtalk.stop()


@pytest.fixture(scope="module")
def servers(stores, fakes, tmp_path_factory):
    """Two Rasa servers, each with its own action server, on the production endpoints; the first
    with the web front. Each host's SQLite logbook would be in its own folder: only the shared
    PostgreSQL one can count what both wrote."""
    tmp = tmp_path_factory.mktemp("scale-out")
    experts = experts_file(tmp)

    def assistant(name: str, web_port: int | None = None) -> Assistant:
        return Assistant(
            rasa_port=free_port(),
            actions_port=free_port(),
            web_port=web_port,
            endpoints=BOT_DIR / "endpoints.production.yml",
            log_dir=tmp / name,
            env={
                **stores,
                **messenger_env(*fakes),
                "KB_LOG_PATH": str(tmp / name / "logbook.db"),
                "HANDOFF_CONFIG": str(experts),
            },
        )

    first, second = assistant("a", free_port()), assistant("b")
    with running(first), running(second):
        yield first, second


def tracker_events(server: Assistant, conversation: str) -> List[Dict]:
    url = f"{server.url}/conversations/{conversation}/tracker?token={api_token()}"
    status, _, body = http(url, method="GET", content_type=None)
    assert status == 200, body
    return json.loads(body)["events"]


def test_the_conversations_live_in_postgresql_and_the_locks_in_redis(servers, stores):
    import psycopg2
    import redis

    user = uuid.uuid4().hex
    for server in servers:
        assert RestClient(server.url)(user, "你好").status == 200
    connection = psycopg2.connect(
        host=stores["DB_HOST"],
        port=stores["DB_PORT"],
        dbname=stores["DB_NAME"],
        user=stores["DB_USER"],
        password=stores["DB_PASSWORD"],
    )
    with connection, connection.cursor() as cursor:
        cursor.execute("select count(*) from events where sender_id = %s and type_name = 'user'", (user,))
        assert cursor.fetchone()[0] == 2
    connection.close()
    client = redis.Redis(
        host=stores["REDIS_HOST"], port=stores["REDIS_PORT"], password=stores["REDIS_PASSWORD"]
    )
    assert client.info("commandstats").get("cmdstat_set", {}).get("calls", 0) >= 2


def test_one_conversation_alternating_between_servers_goes_on(servers, kb):
    a, b = (RestClient(server.url) for server in servers)
    user = uuid.uuid4().hex
    waist, head = kb.get("腰部客户"), kb.get("头部客户")
    assert waist.short in a(user, "什么是腰部客户").text
    # The follow-ups only work if the second server sees the slot the first one set.
    assert waist.strategy.strip().splitlines()[0] in b(user, "那怎么维护这类客户").text
    comparison = a(user, "和头部客户有什么区别").text
    assert defining_passage(waist, head) in comparison and defining_passage(head, waist) in comparison
    assert head.answer.splitlines()[0] in b(user, "详细说说").text
    # A form whose questions and answers land on different servers.
    assert "价值" in a(user, "帮我给一个客户分类").text
    assert "潜力" in b(user, "价值很高").text
    assert "白金客户" in a(user, "潜力也很大").text
    events = [tracker_events(server, user) for server in servers]
    assert events[0] == events[1]
    assert sum(1 for e in events[0] if e["event"] == "user") == 7


PHRASINGS = ["什么是{}", "{}是什么意思", "{}的定义", "说下{}呗"]


def test_concurrent_messages_for_one_sender_on_both_servers_are_neither_lost_nor_interleaved(servers, kb):
    """Several clients of one conversation send at once, alternating servers; Redis serialises the turns."""
    terms = ["腰部客户", "头部客户", "白金客户", "黄金客户", "铁质客户", "铅质客户", "战略客户", "关键客户"]
    clients = [RestClient(server.url) for server in servers]
    user = uuid.uuid4().hex
    rounds = len(PHRASINGS)
    replies: Dict[str, List[str]] = {}
    errors: List[str] = []

    def client(index: int) -> None:
        term = terms[index]
        for i in range(rounds):
            question = PHRASINGS[i].format(term)
            reply = clients[(index + i) % 2](user, question)
            if reply.status != 200 or kb.get(term).short not in reply.text:
                errors.append(f"{question}: {reply.status} {reply.text[:80]}")
            replies.setdefault(term, []).append(question)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(terms))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    events = tracker_events(servers[0], user)
    turns = []  # (user text, bot texts until the next user message)
    for event in events:
        if event["event"] == "user":
            turns.append((event["text"], []))
        elif event["event"] == "bot" and turns:
            turns[-1][1].append(event.get("text") or "")
    assert len(turns) == len(terms) * rounds, "a message was lost or stored twice"
    for text, bot in turns:
        term = next(t for t in terms if t in text)
        assert any(kb.get(term).short in line for line in bot), f"{text} was not answered in its own turn"
    for term, sent in replies.items():
        stored = [text for text, _ in turns if term in text]
        assert stored == sent, f"{term}: stored {stored}, sent {sent}"
    record("scale-out", {"servers": 2, "concurrent_clients": len(terms), "messages": len(turns), "lost": 0})


def test_the_report_counts_the_feedback_given_through_both_action_servers(servers):
    """The logbook lives in the shared PostgreSQL: each action server writes its ratings there,
    and the report on the first server's web front counts them all."""
    first, second = servers

    def report() -> str:
        status, _, page = http(
            f"{first.web_url}/report?days=1&token={api_token()}", method="GET", content_type=None
        )
        assert status == 200, page
        return page

    before = re.search(r"(\d+) helpful, (\d+) unhelpful", report())
    for server, question, rating in ((first, "什么是腰部客户", "有用"), (second, "什么是头部客户", "没用")):
        client, user = RestClient(server.url), uuid.uuid4().hex
        client(user, question)
        assert client(user, rating).status == 200
    time.sleep(1.1)  # the report's period ends before the current second (times are kept to the second)
    after = re.search(r"(\d+) helpful, (\d+) unhelpful", report())
    assert (int(after[1]) - int(before[1]), int(after[2]) - int(before[2])) == (1, 1)
    for server in servers:  # and no host kept a logbook of its own
        assert not (server.log_dir / "logbook.db").exists()


def connector(name: str, server: Assistant, fakes):
    return DingTalkMessenger(server, fakes[0]) if name == "dingtalk" else FeishuMessenger(server, fakes[1])


@pytest.mark.parametrize("name", ["dingtalk", "feishu"])
def test_one_conversation_through_a_connector_alternating_servers_goes_on(servers, fakes, kb, name):
    """Callbacks of one person land on either server (a load balancer's choice); the numbered choice
    shown by one is read by the other, and a callback retried to both is answered once."""
    first, second = servers
    messenger = connector(name, first, fakes)
    user, waist = messenger.user(), kb.get("腰部客户")
    assert messenger.send(messenger.signed(user, "什么是腰部客户"), first)[0] == 200
    assert waist.short in messenger.api.wait_for(user, 1)[0]
    assert messenger.send(messenger.signed(user, "1"), second)[0] == 200
    assert waist.answer.splitlines()[0] in messenger.api.wait_for(user, 2)[1]
    assert messenger.send(messenger.signed(user, "那怎么维护这类客户"), first)[0] == 200
    assert waist.strategy.strip().splitlines()[0] in messenger.api.wait_for(user, 3)[2]
    retried = messenger.signed(user, "谢谢")
    assert [messenger.send(retried, server)[0] for server in (second, first, second)] == [200] * 3
    time.sleep(2)
    assert len(messenger.api.wait_for(user, 4)) == 4
    events = [tracker_events(server, messenger.conversation(user)) for server in servers]
    assert events[0] == events[1]
    assert [e["text"] for e in events[0] if e["event"] == "user"] == [
        "什么是腰部客户",
        '/ask_detail{"term": "腰部客户"}',
        "那怎么维护这类客户",
        "谢谢",
    ]


def test_a_handoff_opened_on_one_server_holds_on_the_other(servers, kb):
    """The handoff's state is in the shared tracker store, its number in the shared logbook."""
    a, b = (RestClient(server.url) for server in servers)
    operators = {"Authorization": f"Bearer {api_token()}"}
    web = servers[0].web_url
    user = uuid.uuid4().hex
    assert "已转给" in a(user, "转人工").text
    assert "请稍候" in b(user, "什么是腰部客户").text  # quiet on the other server too
    url = f"{servers[1].url}/conversations/{user}/tracker?token={api_token()}"
    number = json.loads(http(url, method="GET", content_type=None)[2])["slots"]["handoff"]["id"]
    status, _, body = http(f"{web}/api/handoffs", method="GET", headers=operators)
    assert number in [h["id"] for h in json.loads(body)["handoffs"]]
    reply = json.dumps({"text": "两台服务器都看得到"}).encode("utf-8")
    status, _, body = http(f"{web}/api/handoffs/{number}/reply", reply, headers=operators)
    assert status == 200, body
    bots = [e["text"] for e in tracker_events(servers[1], user) if e["event"] == "bot"]
    assert bots[-1].endswith("：两台服务器都看得到")
    assert b(user, "那账期呢").texts == []  # the expert has answered: quiet, on either server
    assert "人工对话已结束" in b(user, "结束人工").text
    assert kb.get("腰部客户").short in a(user, "什么是腰部客户").text
