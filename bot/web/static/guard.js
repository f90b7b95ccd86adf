/* Safety of everything a bot message can put on the page, loaded before any other script.

   1. Links: rasa-webchat renders markdown with link sanitising switched off, so a reply
      containing [x](javascript:...) would become a clickable script. Every <a href> that
      appears in the document is checked the moment it is inserted or changed (a
      MutationObserver runs before the browser handles any click); a link whose scheme is
      not http, https or mailto loses its href and is no longer a link. A click on such a
      link is also refused, and the server's Content-Security-Policy blocks javascript:
      URLs and inline scripts as a last line.
   2. Enter with a Chinese input method: the Enter that confirms an IME candidate arrives
      as a keydown with isComposing set (keyCode 229 in Chrome and Safari). The widget
      sends on any Enter; these keydowns are stopped before they reach it, so only a
      deliberate Enter sends the message. */
(function () {
  "use strict";

  var SAFE_SCHEMES = { "http:": true, "https:": true, "mailto:": true };

  function isSafeHref(href) {
    try {
      return SAFE_SCHEMES[new URL(href, document.baseURI).protocol] === true;
    } catch (error) {
      return false;
    }
  }

  function disarm(anchor) {
    var href = anchor.getAttribute("href");
    if (href !== null && !isSafeHref(href)) {
      anchor.removeAttribute("href");
      anchor.classList.add("link-blocked");
      anchor.setAttribute("title", "已屏蔽不安全的链接");
    }
  }

  function disarmWithin(node) {
    if (node.nodeType !== 1) {
      return;
    }
    if (node.tagName === "A") {
      disarm(node);
    }
    var anchors = node.querySelectorAll("a[href]");
    for (var i = 0; i < anchors.length; i++) {
      disarm(anchors[i]);
    }
  }

  new MutationObserver(function (records) {
    records.forEach(function (record) {
      if (record.type === "attributes") {
        disarmWithin(record.target);
      } else {
        record.addedNodes.forEach(disarmWithin);
      }
    });
  }).observe(document.documentElement, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ["href"]
  });
  disarmWithin(document.documentElement);

  document.addEventListener(
    "click",
    function (event) {
      var anchor = event.target.closest && event.target.closest("a[href]");
      if (anchor && !isSafeHref(anchor.getAttribute("href"))) {
        event.preventDefault();
        event.stopImmediatePropagation();
        disarm(anchor);
      }
    },
    true
  );

  window.addEventListener(
    "keydown",
    function (event) {
      if (event.isComposing || event.keyCode === 229) {
        event.stopImmediatePropagation();
      }
    },
    true
  );

  window.__assistantGuard = { isSafeHref: isSafeHref };
})();
