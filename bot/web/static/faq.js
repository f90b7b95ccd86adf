/* The FAQ page: every term from /api/glossary, searched as you type through /api/faq.
   Text from the knowledge base is only ever set as textContent, never parsed as HTML. */
(function () {
  "use strict";

  var input = document.getElementById("faq-query");
  var status = document.getElementById("faq-status");
  var answerBox = document.getElementById("faq-answer");
  var list = document.getElementById("faq-list");
  var cards = {}; // entry id -> its <article>
  var order = []; // entry ids in glossary order
  var latest = 0; // number of the newest search, so late answers to older ones are dropped
  var timer = null;

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

  function paragraphs(parent, text) {
    text.split(/\n\s*\n/).forEach(function (block) {
      if (block.trim()) {
        parent.appendChild(element("p", null, block.trim()));
      }
    });
  }

  function card(entry) {
    var article = element("article", "faq-entry");
    article.id = entry.id;
    article.dataset.entryId = entry.id;
    var heading = element("h2", "faq-term");
    var link = element("a", null, entry.term);
    link.href = "#" + encodeURIComponent(entry.id);
    heading.appendChild(link);
    heading.appendChild(element("span", "faq-category", entry.category));
    article.appendChild(heading);
    if (entry.aliases.length) {
      article.appendChild(element("p", "faq-aliases", "又称：" + entry.aliases.join("、")));
    }
    article.appendChild(element("p", "faq-short", entry.short));
    var details = element("details", "faq-full");
    details.appendChild(element("summary", null, "完整说明"));
    (entry.passages || []).forEach(function (passage) {
      var block = element("div", "faq-passage");
      if (passage.facet) {
        block.appendChild(element("span", "faq-facet", passage.facet));
      }
      paragraphs(block, passage.text);
      details.appendChild(block);
    });
    if (entry.strategy) {
      details.appendChild(element("h3", null, "应对策略"));
      paragraphs(details, entry.strategy);
    }
    article.appendChild(details);
    var sources = element("p", "faq-sources", "来源：");
    entry.sources.forEach(function (source, i) {
      if (i > 0) {
        sources.appendChild(document.createTextNode("；"));
      }
      var cite = element("cite", null, source.title);
      cite.title = source.file;
      sources.appendChild(cite);
    });
    article.appendChild(sources);
    if (entry.related.length) {
      var related = element("p", "faq-related", "相关术语：");
      entry.related.forEach(function (other, i) {
        if (i > 0) {
          related.appendChild(document.createTextNode("、"));
        }
        var a = element("a", null, other.term);
        a.href = "#" + encodeURIComponent(other.id);
        a.addEventListener("click", function () {
          showAll();
          input.value = "";
          history.replaceState(null, "", "/faq#" + encodeURIComponent(other.id));
        });
        related.appendChild(a);
      });
      article.appendChild(related);
    }
    return article;
  }

  function show(ids) {
    order.forEach(function (id) {
      cards[id].hidden = true;
    });
    ids.forEach(function (id) {
      if (cards[id]) {
        cards[id].hidden = false;
        list.appendChild(cards[id]); // in the order given: best match first
      }
    });
  }

  function showAll() {
    show(order);
    showAnswer(null);
    status.textContent = "共 " + order.length + " 个术语。";
  }

  // What answers the question (the API's `answer`): a passage of an entry, a passage quoted from
  // the sources, or a term the sources use without defining it. Text only, never HTML.
  var ANSWER_LABELS = {
    passage: "最相关的段落",
    source: "资料原文（知识库里还没有整理成词条）",
    mention: "资料提到了这个说法，但没有给出定义",
  };

  function showAnswer(answer) {
    answerBox.textContent = "";
    answerBox.hidden = !answer || !ANSWER_LABELS[answer.kind];
    if (answerBox.hidden) {
      return;
    }
    answerBox.dataset.kind = answer.kind;
    answerBox.appendChild(element("h2", "faq-answer-label", ANSWER_LABELS[answer.kind]));
    if (answer.term) {
      answerBox.appendChild(element("p", "faq-answer-term", answer.term + (answer.facet ? "（" + answer.facet + "）" : "")));
    }
    paragraphs(answerBox, answer.text);
    var sources = element("p", "faq-sources", "来源：");
    (answer.sources || []).forEach(function (source, i) {
      if (i > 0) {
        sources.appendChild(document.createTextNode("；"));
      }
      var cite = element("cite", null, source.title);
      cite.title = source.file;
      sources.appendChild(cite);
    });
    if (answer.position) {
      sources.appendChild(document.createTextNode("，第 " + answer.position + " 段"));
    }
    answerBox.appendChild(sources);
  }

  function search(query) {
    var number = ++latest;
    fetch("/api/faq?limit=20&q=" + encodeURIComponent(query))
      .then(function (response) {
        return response.json();
      })
      .then(function (body) {
        if (number !== latest) {
          return;
        }
        if (body.error) {
          show([]);
          showAnswer(null);
          status.textContent = body.error;
          return;
        }
        showAnswer(body.answer);
        show(
          body.results.map(function (result) {
            return result.id;
          })
        );
        if (body.status === "none") {
          status.textContent = "没有找到与“" + query + "”相关的术语。";
        } else if (body.status === "ambiguous") {
          status.textContent = "找到 " + body.results.length + " 个可能相关的术语：";
        } else if (body.results.length === 1) {
          status.textContent = "找到 1 个术语：";
        } else {
          status.textContent = "找到 " + body.results.length + " 个术语，最相关的在最前面：";
        }
      })
      .catch(function () {
        if (number === latest) {
          status.textContent = "搜索失败，请稍后再试。";
        }
      });
  }

  function onInput() {
    var query = input.value;
    clearTimeout(timer);
    var url = query.trim() ? "/faq?q=" + encodeURIComponent(query) : "/faq";
    history.replaceState(null, "", url);
    if (!query.trim()) {
      latest++;
      showAll();
      return;
    }
    timer = setTimeout(function () {
      search(query);
    }, 120);
  }

  fetch("/api/glossary")
    .then(function (response) {
      if (!response.ok) {
        throw new Error(response.status);
      }
      return response.json();
    })
    .then(function (glossary) {
      glossary.entries.forEach(function (entry) {
        cards[entry.id] = card(entry);
        order.push(entry.id);
        list.appendChild(cards[entry.id]);
      });
      input.addEventListener("input", onInput);
      var initial = new URLSearchParams(location.search).get("q");
      if (initial) {
        input.value = initial;
        search(initial);
      } else {
        showAll();
        if (location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)))) {
          document.getElementById(decodeURIComponent(location.hash.slice(1))).scrollIntoView();
        }
      }
      document.body.dataset.ready = "true";
    })
    .catch(function () {
      status.textContent = "术语表加载失败，请确认知识库已构建（make kb）后刷新页面。";
    });

  // Enter in the search box searches at once instead of reloading the page.
  input.form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    if (input.value.trim()) {
      search(input.value);
    }
  });
})();
