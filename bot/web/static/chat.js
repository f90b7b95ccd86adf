/* The chat page: rasa-webchat, embedded, talking to Rasa's socket.io channel.
   Settings (socket URL, Chinese labels) come from /config.js, written by the server. */
(function () {
  "use strict";
  var config = window.ASSISTANT_CONFIG;
  var texts = config.texts;
  var status = document.getElementById("chat-status");

  function showStatus(text) {
    status.textContent = text || "";
    status.hidden = !text;
  }

  // After the assistant deleted the conversation ({"forgotten": true}, bot/forgetting.py), the
  // widget's own copy in this browser goes too: cleared, the page reloaded as a new conversation.
  var FORGOTTEN_FLAG = "assistant_forgotten";
  var WIDGET_STORAGE = "chat_session";
  var notice = "";
  if (sessionStorage.getItem(FORGOTTEN_FLAG)) {
    sessionStorage.removeItem(FORGOTTEN_FLAG);
    notice = texts.forgotten;
    showStatus(notice);
  }
  function forget() {
    localStorage.removeItem(WIDGET_STORAGE);
    sessionStorage.setItem(FORGOTTEN_FLAG, "1");
    window.location.reload();
  }

  // The widget shows nothing until it is connected: say so when Rasa cannot be reached.
  var waiting = setTimeout(function () {
    showStatus(texts.connecting);
  }, 2000);
  window.WebChat.default(
    {
      socketUrl: config.socketUrl,
      socketPath: config.socketPath,
      customData: { language: "zh" },
      // A new conversation opens with the help text and its example buttons.
      initPayload: "/help",
      title: texts.title,
      subtitle: texts.subtitle,
      inputTextFieldHint: texts.input_hint,
      connectingText: texts.connecting,
      embedded: true,
      showCloseButton: false,
      hideWhenNotConnected: false,
      // The conversation (session id and messages) survives reloads and browser restarts.
      params: { storage: "local" },
      onSocketEvent: {
        connect: function () {
          clearTimeout(waiting);
          showStatus(notice);
        },
        connect_error: function () {
          clearTimeout(waiting);
          showStatus(texts.unreachable);
        },
        bot_uttered: function (message) {
          if (message && message.forgotten === true) {
            // Let the confirmation be read first; the widget stores nothing in between.
            setTimeout(forget, config.forgetDelayMs);
          }
        }
      },
      customMessageDelay: function () {
        return config.messageDelayMs;
      }
    },
    document.getElementById("webchat")
  );
})();
