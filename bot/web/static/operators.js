/* The operators' page: open handoffs from /api/handoffs, a reply box and a close button for each.
   The token comes from the page's own ?token= and goes to the API as a Bearer header. Every text
   (the salesperson's, the assistant's, the expert's) is set as textContent, never parsed as HTML. */
(function () {
  "use strict";

  var token = new URLSearchParams(window.location.search).get("token") || "";
  var status = document.getElementById("operators-status");
  var list = document.getElementById("handoffs");
  var cards = {}; // handoff id -> its <article>, kept across refreshes so a draft reply stays
  var REFRESH_MS = 5000;
  var WHO = { salesperson: "销售", assistant: "助手", expert: "专家" };

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  function api(path, body) {
    var options = { headers: { Authorization: "Bearer " + token }, cache: "no-store" };
    if (body !== undefined) {
      options.method = "POST";
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(path, options).then(function (response) {
      return response.json().then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      });
    });
  }

  function transcript(box, turns) {
    box.textContent = "";
    if (!turns) {
      box.appendChild(element("p", "handoff-note", "暂时读不到对话记录（助手没有响应）。"));
      return;
    }
    turns.forEach(function (turn) {
      var line = element("p", "turn turn-" + turn.who);
      line.appendChild(element("span", "turn-who", (WHO[turn.who] || turn.who) + "："));
      line.appendChild(element("span", "turn-text", turn.text));
      box.appendChild(line);
    });
  }

  function card(handoff) {
    var article = element("article", "handoff");
    article.dataset.handoffId = handoff.id;
    article.appendChild(element("h2", "handoff-title", "#" + handoff.id + " · " + handoff.expert));
    article.appendChild(element("p", "handoff-question", handoff.question));
    article.appendChild(element("p", "handoff-meta", ""));
    article.appendChild(element("div", "handoff-transcript"));
    var form = element("form", "handoff-reply");
    var box = element("textarea");
    box.name = "text";
    box.rows = 3;
    box.maxLength = 2000;
    box.placeholder = "写给这位销售的回复";
    var send = element("button", "handoff-send", "发送");
    send.type = "submit";
    var end = element("button", "handoff-close", "结束");
    end.type = "button";
    var result = element("p", "handoff-result");
    result.setAttribute("role", "status");
    form.appendChild(box);
    form.appendChild(send);
    form.appendChild(end);
    form.appendChild(result);
    article.appendChild(form);

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      send.disabled = true;
      api("/api/handoffs/" + handoff.id + "/reply", { text: box.value }).then(function (answer) {
        send.disabled = false;
        if (answer.ok) {
          box.value = "";
          result.textContent = "已发送。";
          refresh();
        } else {
          result.textContent = answer.data.error || "发送失败。"; // the draft stays in the box
        }
      }, function () {
        send.disabled = false;
        result.textContent = "连不上服务器，回复没有发出。";
      });
    });
    end.addEventListener("click", function () {
      api("/api/handoffs/" + handoff.id + "/close", {}).then(function (answer) {
        result.textContent = answer.ok ? "已结束，对话交还助手。" : answer.data.error || "没能结束。";
        refresh();
      });
    });
    return article;
  }

  function show(handoffs) {
    var seen = {};
    handoffs.forEach(function (handoff) {
      seen[handoff.id] = true;
      var article = cards[handoff.id];
      if (!article) {
        article = cards[handoff.id] = card(handoff);
        list.appendChild(article);
      }
      var meta = handoff.replies ? "已回复 " + handoff.replies + " 条" : "还没有回复";
      article.querySelector(".handoff-meta").textContent =
        "开始于 " + handoff.opened_at + " UTC · " + meta + " · 渠道 " + (handoff.channel || "未知");
      transcript(article.querySelector(".handoff-transcript"), handoff.transcript);
    });
    Object.keys(cards).forEach(function (id) {
      if (!seen[id]) {
        list.removeChild(cards[id]);
        delete cards[id];
      }
    });
    status.textContent = handoffs.length ? handoffs.length + " 个进行中的人工对话" : "现在没有转人工的对话。";
  }

  function refresh() {
    return api("/api/handoffs").then(function (answer) {
      if (answer.ok) {
        show(answer.data.handoffs);
      } else {
        status.textContent = answer.data.error || "读取失败。";
      }
    }, function () {
      status.textContent = "连不上服务器，正在重试。";
    });
  }

  refresh();
  window.setInterval(refresh, REFRESH_MS);
})();
